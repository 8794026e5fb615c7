{#- Nearest-centroid assignment in SQL, over the clustering features only (validated
    names), with the selected centroids written in as literals (see
    macros/nearest_centroid.sql): one scan of the customers. -#}
{%- set clustering_features = segmentation_features() -%}
{%- set centroids = selected_centroids(ref('int_segment_centroids_fitted')) -%}

with

standardised_customers as (
    select * from {{ ref('int_customers_standardised') }}
),

distances as (
    select
        *,
        {{- squared_distances(centroids, clustering_features) }}
    from standardised_customers
),

nearest as (
    select
        customer_id,
        cast({{ nearest_segment_id(centroids) }} as {{ dbt.type_bigint() }}) as segment_id,
        gender,
        age,
        annual_income,
        spending_score,
        {%- for feature in known_segmentation_features() %}
        {{ feature }}_z,
        {%- endfor %}
        {{ nearest_distance(centroids) }} as distance_to_centroid
    from distances
)

select * from nearest
