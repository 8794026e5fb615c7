-- How many customers each campaign reaches, by priority: what to budget for.
select
    priority,
    campaign_name,
    channel,
    segment_name,
    count(*) filter (where not is_control_group) as customers_contacted,
    count(*) filter (where is_control_group) as customers_held_back
from {{ ref('marketing_targets') }}
group by priority, campaign_name, channel, segment_name
order by priority, customers_contacted desc
