-- Campaign lists ready to export: each campaign's customers, most typical first,
-- without the control group (held back to measure the campaign's lift), with every
-- column of customer_segments (the features and profile columns as configured).
select
    campaigns.campaign_name,
    campaigns.channel,
    campaigns.offer,
    targets.priority,
    targets.target_rank,
    customers.*
from {{ ref('marketing_targets') }} as targets
inner join {{ ref('segment_campaigns') }} as campaigns
    on targets.segment_id = campaigns.segment_id
    and targets.campaign_code = campaigns.campaign_code
inner join {{ ref('customer_segments') }} as customers
    on targets.customer_id = customers.customer_id
where not targets.is_control_group
order by targets.priority, campaigns.campaign_name, targets.target_rank
