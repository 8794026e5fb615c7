{#- Every valid customer in the model space of this build's fit: one column per model
    dimension (macros/model_space.sql), from the statistics written in as literals. -#}
{{ assert_features_vary(ref('int_feature_statistics')) }}
{%- set dimensions = model_dimensions(ref('int_feature_statistics')) %}

with

customers as (
    select * from {{ ref('int_customers_cleaned') }}
),

standardised as (
    select
        customer_id,
        {{- model_space_columns(dimensions) }}
    from customers
)

select * from standardised
