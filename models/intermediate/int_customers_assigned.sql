{#- Nearest-centroid assignment in SQL: one scan of the customers against the k
    centroids, over the clustering features only (validated names). Ties go to the
    lower segment id, as in scikit-learn's predict. -#}
{%- set clustering_features = segmentation_features() -%}

with

standardised_customers as (
    select * from {{ ref('int_customers_standardised') }}
),

fitted_centroids as (
    select * from {{ ref('int_segment_centroids_fitted') }}
),

selected_centroids as (
    select * from fitted_centroids
    where is_selected_k
),

distances as (
    select
        standardised_customers.customer_id,
        selected_centroids.segment_id,
        {%- for feature in clustering_features %}
        power(
            standardised_customers.{{ feature }}_z
            - selected_centroids.centroid_{{ feature }}_z,
            2
        ){{ ' +' if not loop.last else ' as squared_distance' }}
        {%- endfor %}
    from standardised_customers
    cross join selected_centroids
),

ranked as (
    select
        *,
        row_number() over (
            partition by customer_id
            order by squared_distance, segment_id
        ) as distance_rank
    from distances
),

nearest as (
    select
        customer_id,
        segment_id,
        sqrt(squared_distance) as distance_to_centroid
    from ranked
    where distance_rank = 1
)

select * from nearest
