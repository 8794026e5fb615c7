{#- A bounded, deterministic sample for the fit: the customers with the smallest hash
    of their id. Same input, same sample; every customer when there are fewer than
    segment_sample_size. -#}
{%- set sample_size = number_var('segment_sample_size', 1, 100000000, whole=true) -%}
{%- set hash_share = sample_hash_share('customer_id') -%}
{%- set dimensions = model_dimensions(ref('int_feature_statistics')) -%}

with

standardised_customers as {{ not_materialized() }} (
    select * from {{ ref('int_customers_standardised') }}
),

{%- if hash_share is not none %}

{#- Where the hash's range is known, only the customers in the lowest share of it are
    sorted, a share sized for twice the sample and 20 more. They hold the whole sample
    whenever there are at least as many of them as the sample needs (anyone else sorts
    after them all); when chance leaves too few (at worst about once in 10^8, for a
    sample of a few customers), everyone is sorted. The sample is the same either way. -#}
lowest_hashes as (
    select customer_id
    {#- A scalar subquery over the same table is a scope of its own (AL04 misreads it). #}
    from standardised_customers  -- noqa: AL04
    where
        {{ hash_share }} < (
            select (2.0 * {{ sample_size }} + 20) / count(*) from standardised_customers
        )
),

sample_candidates as (
    select customer_id from lowest_hashes  -- noqa: AL04
    where (select count(*) from lowest_hashes) >= {{ sample_size }}

    union all

    select customer_id from standardised_customers
    where (select count(*) from lowest_hashes) < {{ sample_size }}
),
{%- endif %}

{#- The ids first, then their features: a top-N over the ids alone, joined back, is
    far cheaper than one carrying the features. Ids are unique, so the join returns
    the sample once. -#}
sampled_ids as (
    select customer_id
    from {{ 'sample_candidates' if hash_share is not none else 'standardised_customers' }}
    order by {{ sample_hash('customer_id') }}, customer_id
    limit {{ sample_size }}
),

sampled as (
    select
        standardised_customers.customer_id,
        {%- for dimension in dimensions %}
        standardised_customers.{{ dimension.dimension_name }}{% if not loop.last %},{% endif %}
        {%- endfor %}
    from standardised_customers
    inner join sampled_ids
        on standardised_customers.customer_id = sampled_ids.customer_id
)

select * from sampled
