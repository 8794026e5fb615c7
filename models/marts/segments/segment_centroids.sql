{#- The fitted model in a form anyone can reuse: standardise a customer with
    segment_feature_scaling, then pick the nearest centroid over the clustering
    features. -#}

with

fitted_centroids as (
    select * from {{ ref('int_segment_centroids_fitted') }}
),

personas as (
    select * from {{ ref('int_segment_personas') }}
),

centroids as (
    select
        fitted_centroids.segment_id,
        personas.segment_name,
        fitted_centroids.clustering_features,
        {%- for feature in known_segmentation_features() %}
        fitted_centroids.centroid_{{ feature }}_z,
        fitted_centroids.centroid_{{ feature }},
        {%- endfor %}
        fitted_centroids.sample_customer_count
    from fitted_centroids
    inner join personas
        on fitted_centroids.segment_id = personas.segment_id
    where fitted_centroids.is_selected_k
)

select * from centroids
