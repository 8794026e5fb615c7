-- How many customers each campaign reaches, by priority: what to budget for.
select
    priority,
    campaign_name,
    channel,
    segment_name,
    count(*) as customers_targeted
from {{ ref('marketing_targets') }}
group by priority, campaign_name, channel, segment_name
order by priority, customers_targeted desc
