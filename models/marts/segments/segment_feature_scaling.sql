{#- The current model's dimensions: for each, the feature it comes from and how a
    customer's value is placed in the model space (imputed, transformed, centred,
    scaled; or a category's indicator), as stored in the model version. -#}

with

current_model as (
    select * from {{ ref('int_segment_model_current') }}
),

dimensions as (
    select distinct
        dimension_position,
        dimension_name,
        feature_name,
        feature_kind,
        category,
        transform,
        missing_policy,
        imputation_category,
        unit,
        input_header,
        imputation_value,
        feature_mean,
        feature_std,
        weight,
        dimension_scale,
        min_value,
        max_value,
        category_share,
        model_version
    from current_model
)

select * from dimensions
