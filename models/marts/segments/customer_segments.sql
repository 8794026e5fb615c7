{#- Every valid customer's segment, with the values they were segmented on (as given:
    a missing value stays missing, has_imputed_value says the model imputed it) and
    their profile columns. The columns follow the configuration: customer_id,
    segment_id, segment_name, the features and profile columns in order, then
    distance_to_centroid, is_outlier and has_imputed_value. -#}
{%- set resolved = customer_columns(ref('stg_input__columns')) %}

with

scored as (
    select * from {{ ref('int_customers_scored') }}
),

personas as (
    select * from {{ ref('int_segment_personas') }}
),

segmented as (
    select
        scored.customer_id,
        scored.segment_id,
        personas.segment_name,
        {%- for column in resolved.columns %}
        scored.{{ column.name }},
        {%- endfor %}
        scored.distance_to_centroid,
        scored.is_outlier,
        scored.has_imputed_value
    from scored
    inner join personas
        on scored.segment_id = personas.segment_id
)

select * from segmented
