{#- The campaign plan: a segment's income and spending bands pick its campaigns in
    campaign_strategies (premium loyalty for high income and high spending, upsell for
    high income and low spending, ...). marketing_targets lists the customers of each
    campaign; what describes a campaign is kept here, once. -#}

with

personas as (
    select * from {{ ref('int_segment_personas') }}
),

campaign_strategies as (
    select * from {{ ref('campaign_strategies') }}
),

segment_profiles as (
    select * from {{ ref('segment_profiles') }}
),

segment_campaigns as (
    select
        personas.segment_id,
        personas.segment_name,
        campaign_strategies.campaign_code,
        campaign_strategies.campaign_name,
        campaign_strategies.channel,
        campaign_strategies.offer,
        campaign_strategies.priority,
        {#- A fitted segment can end up with no customer: it has no profile. #}
        coalesce(segment_profiles.customer_count, 0) as target_count
    from personas
    inner join campaign_strategies
        on personas.income_band = campaign_strategies.income_band
        and personas.spending_band = campaign_strategies.spending_band
    left join segment_profiles
        on personas.segment_id = segment_profiles.segment_id
)

select * from segment_campaigns
