{#- The campaign plan: each segment gets the campaigns of the campaign_strategies seed
    whose every condition holds for where its centroid sits now (int_segment_bands:
    premium loyalty for high income and high spending, ...). A segment no conditioned
    campaign matches gets the campaigns with no conditions, the configurable default.
    marketing_targets lists the customers of each campaign; what describes a campaign
    is kept here, once. -#}

with

personas as (
    select * from {{ ref('int_segment_personas') }}
),

segment_bands as (
    select * from {{ ref('int_segment_bands') }}
),

campaign_strategies as (
    select * from {{ ref('campaign_strategies') }}
),

segment_profiles as (
    select * from {{ ref('segment_profiles') }}
),

matched as (
    {{ matching_rules('campaign_strategies', 'campaign_code', 'segment_bands', 'segment_id')
        | indent(4) }}
),

default_campaigns as (
    select campaign_code
    from campaign_strategies
    where feature_1 is null
        and feature_2 is null
        and feature_3 is null
),

planned as (
    select
        segment_id,
        campaign_code
    from matched

    union all

    select
        personas.segment_id,
        default_campaigns.campaign_code
    from personas
    cross join default_campaigns
    where personas.segment_id not in (select matched.segment_id from matched)
),

segment_campaigns as (
    select
        planned.segment_id,
        planned.campaign_code,
        personas.segment_name,
        campaign_strategies.campaign_name,
        campaign_strategies.channel,
        campaign_strategies.offer,
        campaign_strategies.priority,
        {#- A fitted segment can end up with no customer: it has no profile. #}
        coalesce(segment_profiles.customer_count, 0) as target_count
    from planned
    inner join personas
        on planned.segment_id = personas.segment_id
    inner join campaign_strategies
        on planned.campaign_code = campaign_strategies.campaign_code
    left join segment_profiles
        on planned.segment_id = segment_profiles.segment_id
)

select * from segment_campaigns
