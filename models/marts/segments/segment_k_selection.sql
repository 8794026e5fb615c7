{#- How k was chosen for the current model: one row per candidate k of its fit, with
    the k each rule would choose and the rule that chose. A version fitted before the
    gap statistic existed has nulls in its columns. -#}

with

registry as (
    select * from {{ ref('int_segment_models_registered') }}
),

current_model as (
    select distinct model_version from {{ ref('int_segment_model_current') }}
),

per_k as (
    select distinct
        registry.k,
        registry.clustering_features,
        registry.selection_method,
        registry.inertia,
        registry.silhouette,
        registry.calinski_harabasz,
        registry.davies_bouldin,
        registry.sample_row_count,
        registry.selection_row_count,
        registry.fit_seconds,
        registry.is_elbow_k,
        registry.is_selected_k as is_selected,
        registry.gap_statistic,
        registry.gap_standard_error,
        registry.gap_reference_log_dispersion,
        registry.log_dispersion,
        registry.noise_share,
        registry.k_rule,
        registry.elbow_silhouette_k,
        registry.silhouette_k,
        registry.gap_k,
        registry.gap_reference_count,
        registry.model_version
    from registry
    inner join current_model
        on registry.model_version = current_model.model_version
)

select * from per_k
