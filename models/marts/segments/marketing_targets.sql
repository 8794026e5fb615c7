{#- Campaigns follow the persona: a segment's income and spending bands pick its
    campaigns in campaign_strategies. Within a campaign, customers closest to their
    segment's centroid (the most typical members) come first. -#}

with

customer_segments as (
    select * from {{ ref('customer_segments') }}
),

personas as (
    select * from {{ ref('int_segment_personas') }}
),

campaign_strategies as (
    select * from {{ ref('campaign_strategies') }}
),

targeted as (
    select
        customer_segments.customer_id,
        customer_segments.segment_id,
        campaign_strategies.campaign_code,
        customer_segments.segment_name,
        campaign_strategies.campaign_name,
        campaign_strategies.channel,
        campaign_strategies.offer,
        campaign_strategies.priority,
        row_number() over (
            partition by campaign_strategies.campaign_code
            order by customer_segments.distance_to_centroid, customer_segments.customer_id
        ) as target_rank
    from customer_segments
    inner join personas
        on customer_segments.segment_id = personas.segment_id
    inner join campaign_strategies
        on personas.income_band = campaign_strategies.income_band
        and personas.spending_band = campaign_strategies.spending_band
)

select * from targeted
