{#- Scoring with the current model (int_segment_model_current): standardise with the
    scaling the model was fitted with, then take the nearest centroid over the features
    it was fitted on (validated names). Centroids, thresholds and scaling are written in
    as literals (see macros/nearest_centroid.sql): one scan of the customers. With the
    scaling of the fit itself this reproduces the fit's own assignment. -#}
{%- set segments = current_model_segments(ref('int_segment_model_current')) -%}
{%- set clustering_features = model_clustering_features(segments) -%}
{%- set scaling = segments[0] -%}

with

customers as (
    select * from {{ ref('int_customers_cleaned') }}
),

standardised as (
    select
        customers.*,
        {%- for feature in known_segmentation_features() %}
        {#- Same expression as int_customers_standardised, so the same doubles. #}
        coalesce(
            (customers.{{ feature }} - {{ float_literal(scaling[feature ~ '_mean']) }})
            / nullif({{ float_literal(scaling[feature ~ '_std']) }}, 0),
            0
        ) as {{ feature }}_z{{ ',' if not loop.last }}
        {%- endfor %}
    from customers
),

distances as (
    select
        *,
        {{- squared_distances(segments, clustering_features) }}
    from standardised
),

nearest as (
    select
        customer_id,
        cast({{ nearest_segment_id(segments) }} as {{ dbt.type_bigint() }}) as segment_id,
        gender,
        age,
        annual_income,
        spending_score,
        {%- for feature in known_segmentation_features() %}
        {{ feature }}_z,
        {%- endfor %}
        {{ nearest_distance(segments) }} as distance_to_centroid
    from distances
),

flagged as (
    select
        *,
        {{ beyond_outlier_threshold(segments, 'segment_id', 'distance_to_centroid') }}
            as is_outlier
    from nearest
)

select * from flagged
