{#- Each customer gets the campaigns of their segment (segment_campaigns). Within a
    campaign, customers closest to their segment's centroid (the most typical members)
    come first. A hash of customer and campaign holds a fixed share of each campaign
    back as its control group. On DuckDB the pre-hook stores the campaigns' customers
    in that order, and the ranks number its rows (see macros/campaign_order.sql). -#}
{#- The pre-hook reads these two; the window below reads them on other engines. #}
-- depends_on: {{ ref('customer_segments') }}, {{ ref('segment_campaigns') }}
{{ config(
    pre_hook="{{ store_contact_order(ref('customer_segments'), ref('segment_campaigns')) }}",
    post_hook="{{ drop_contact_order() }}"
) }}
{%- set control_share = number_var('control_group_share', 0, 1) %}
{%- set order_is_stored = contact_order_is_stored() %}

with

campaigns as (
    {{ numbered_campaigns(ref('segment_campaigns')) | indent(4) }}
),

{%- if order_is_stored %}

{#- Read twice: the campaigns' first rows, then every row. #}
contact_order as {{ not_materialized() }} (
    select
        rowid as stored_position,
        customer_id,
        segment_id,
        campaign_number
    from {{ contact_order_table() }}
),

{#- Each campaign's rows are consecutive and in contact order: a customer's rank is the
    row's position after the campaign's first row. #}
campaign_starts as (
    select
        campaign_number,
        min(stored_position) as first_position
    from contact_order
    group by campaign_number
),

ranked as (
    select
        contact_order.customer_id,
        contact_order.segment_id,
        contact_order.campaign_number,
        cast(
            contact_order.stored_position - campaign_starts.first_position + 1
            as {{ dbt.type_bigint() }}
        ) as target_rank
    from contact_order
    inner join campaign_starts
        on contact_order.campaign_number = campaign_starts.campaign_number
),

{%- else %}

campaign_members as (
    {{ campaign_members(ref('customer_segments'), ref('segment_campaigns')) | indent(4) }}
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

{%- endif %}

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
