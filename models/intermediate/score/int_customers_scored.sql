{#- Scoring with the current model (int_segment_model_current): each customer placed in
    the model's space with the statistics stored in the model version (the same macro
    the fit used, so the fit's own customers land exactly where it put them), then the
    nearest centroid and the outlier flag. The model is written in as literals (see
    macros/nearest_centroid.sql): one scan of the customers. -#}
{%- set model = current_model(ref('int_segment_model_current')) %}
{%- set resolved = customer_columns(ref('stg_input__columns')) %}

with

customers as (
    select * from {{ ref('int_customers_cleaned') }}
),

placed as (
    select
        customers.*,
        {{- model_space_columns(model.dimensions, alias_prefix='model__') }}
    from customers
),

distances as (
    select
        *,
        {{- squared_distances(model.segments, model.dimensions, 'model__') }}
    from placed
),

nearest as (
    select
        customer_id,
        cast({{ nearest_segment_id(model.segments) }} as {{ dbt.type_bigint() }}) as segment_id,
        {{ nearest_distance(model.segments) }} as distance_to_centroid,
        {%- for column in resolved.columns %}
        {{ column.name }},
        {%- endfor %}
        has_imputed_value
    from distances
),

flagged as (
    select
        *,
        {{ beyond_outlier_threshold(model.segments, 'segment_id', 'distance_to_centroid') }}
            as is_outlier
    from nearest
)

select * from flagged
