-- Campaign lists ready to export: each campaign's customers, most typical first,
-- without the control group (held back to measure the campaign's lift).
select
    targets.campaign_name,
    targets.channel,
    targets.offer,
    targets.priority,
    targets.target_rank,
    targets.customer_id,
    customers.segment_name,
    customers.age,
    customers.annual_income,
    customers.spending_score
from {{ ref('marketing_targets') }} as targets
inner join {{ ref('customer_segments') }} as customers
    on targets.customer_id = customers.customer_id
where not targets.is_control_group
order by targets.priority, targets.campaign_name, targets.target_rank
