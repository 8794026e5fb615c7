{#- One row per RFM segment (the rfm_segments seed, every one listed): its scored
    customers and their share, their mean recency, frequency and monetary value, and
    their share of all scored customers' revenue. -#}

with

customer_rfm as (
    select * from {{ ref('customer_rfm') }}
),

rfm_segments as (
    select * from {{ ref('rfm_segments') }}
),

per_segment as (
    select
        rfm_segment,
        count(*) as customer_count,
        avg(cast(recency_days as {{ double_type() }})) as mean_recency_days,
        avg(cast(frequency as {{ double_type() }})) as mean_frequency,
        avg(monetary) as mean_monetary,
        sum(monetary) as revenue
    from customer_rfm
    where is_scored
    group by rfm_segment
),

final as (
    select
        rfm_segments.rfm_segment,
        rfm_segments.segment_description,
        cast(rfm_segments.rule_order as {{ dbt.type_int() }}) as rule_order,
        coalesce(per_segment.customer_count, 0) as customer_count,
        cast(coalesce(per_segment.customer_count, 0) as {{ double_type() }})
        / nullif(sum(coalesce(per_segment.customer_count, 0)) over (), 0) as customer_share,
        per_segment.mean_recency_days,
        per_segment.mean_frequency,
        per_segment.mean_monetary,
        coalesce(per_segment.revenue, 0) as revenue,
        coalesce(per_segment.revenue, 0)
        / nullif(sum(coalesce(per_segment.revenue, 0)) over (), 0) as revenue_share
    from rfm_segments
    left join per_segment
        on rfm_segments.rfm_segment = per_segment.rfm_segment
)

select * from final
