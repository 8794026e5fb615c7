{#- Each customer gets the campaigns of their segment (segment_campaigns). Within a
    campaign, customers closest to their segment's centroid (the most typical members)
    come first. A hash of customer and campaign holds a fixed share of each campaign
    back as its control group. -#}
{%- set control_share = number_var('control_group_share', 0, 1) %}

with

customer_segments as (
    select * from {{ ref('customer_segments') }}
),

segment_campaigns as (
    select * from {{ ref('segment_campaigns') }}
),

campaigns as (
    select
        segment_id,
        campaign_code,
        priority,
        {#- A small whole number per campaign to partition the window by. #}
        cast(dense_rank() over (order by campaign_code) as {{ dbt.type_int() }})
            as campaign_number
    from segment_campaigns
),

{#- Ranked on a campaign number; the campaign's text code joins back after the window.
    DuckDB's window sort slows several-fold when its keys or the columns it carries
    include text. -#}
campaign_members as (
    select
        customer_segments.customer_id,
        customer_segments.segment_id,
        campaigns.campaign_number,
        customer_segments.distance_to_centroid
    from customer_segments
    inner join campaigns
        on customer_segments.segment_id = campaigns.segment_id
),

ranked as (
    select
        customer_id,
        segment_id,
        campaign_number,
        {#- A bigint everywhere: Spark's row_number is a 4-byte int. #}
        cast(row_number() over (
            partition by campaign_number
            order by distance_to_centroid, customer_id
        ) as {{ dbt.type_bigint() }}) as target_rank
    from campaign_members
),

targeted as (
    select
        ranked.customer_id,
        ranked.segment_id,
        campaigns.campaign_code,
        campaigns.priority,
        ranked.target_rank,
        {{ control_group_bucket('ranked.customer_id', 'campaigns.campaign_code') }}
        < {{ (control_share * control_group_buckets()) | round | int }} as is_control_group
    from ranked
    inner join campaigns
        on ranked.segment_id = campaigns.segment_id
        and ranked.campaign_number = campaigns.campaign_number
)

select * from targeted
