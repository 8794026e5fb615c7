{#- A bounded, deterministic sample for the fit: the customers with the smallest hash
    of their id. Same input, same sample; every customer when there are fewer than
    segment_sample_size. -#}
{%- set sample_size = number_var('segment_sample_size', 1, 100000000, whole=true) -%}

with

standardised_customers as (
    select * from {{ ref('int_customers_standardised') }}
),

sampled as (
    select
        customer_id,
        {%- for feature in known_segmentation_features() %}
        {{ feature }}_z{{ ',' if not loop.last }}
        {%- endfor %}
    from standardised_customers
    order by {{ sample_hash('customer_id') }}, customer_id
    limit {{ sample_size }}
)

select * from sampled
