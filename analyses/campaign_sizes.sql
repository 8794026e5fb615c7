-- How many customers each campaign reaches, by priority: what to budget for.
select
    campaigns.priority,
    campaigns.campaign_name,
    campaigns.channel,
    campaigns.segment_name,
    count(*) filter (where not targets.is_control_group) as customers_contacted,
    count(*) filter (where targets.is_control_group) as customers_held_back
from {{ ref('marketing_targets') }} as targets
inner join {{ ref('segment_campaigns') }} as campaigns
    on targets.segment_id = campaigns.segment_id
    and targets.campaign_code = campaigns.campaign_code
group by campaigns.priority, campaigns.campaign_name, campaigns.channel, campaigns.segment_name
order by campaigns.priority asc, customers_contacted desc
