{#- The current model's centroids in long form, one row per segment and model dimension:
    in the model space (what customers are scored against) and back in the feature's
    own units (a category: its share among the segment's members). With
    segment_feature_scaling this is the whole model: place a customer in the model
    space, pick the nearest centroid. -#}

with

current_model as (
    select * from {{ ref('int_segment_model_current') }}
),

centroids as (
    select
        segment_id,
        dimension_position,
        segment_name,
        dimension_name,
        feature_name,
        feature_kind,
        category,
        unit,
        centroid_value,
        centroid_original,
        outlier_distance_threshold,
        sample_customer_count,
        model_version
    from current_model
)

select * from centroids
