{#- The current model in a form anyone can reuse: standardise a customer with the
    model's scaling (its feature means and standard deviations in
    segment_model_versions), then pick the nearest centroid over the clustering
    features. -#}

with

current_segments as (
    select * from {{ ref('int_segment_model_current') }}
),

centroids as (
    select
        segment_id,
        segment_name,
        clustering_features,
        {%- for feature in known_segmentation_features() %}
        centroid_{{ feature }}_z,
        centroid_{{ feature }},
        {%- endfor %}
        sample_customer_count,
        outlier_distance_threshold,
        model_version
    from current_segments
)

select * from centroids
