{#- One row per model version: what was fitted, on what, how well, and how its
    segments relate to the previous version's. -#}

with

registry as (
    select * from {{ ref('int_segment_models_registered') }}
),

chosen_fits as (
    select * from registry
    where is_selected_k
),

per_version as (
    select
        model_version,
        min(fitted_at) as fitted_at,
        min(dbt_invocation_id) as dbt_invocation_id,
        min(k) as k,
        min(algorithm) as algorithm,
        min(label_agreement) as label_agreement,
        min(clustering_features) as clustering_features,
        min(selection_method) as selection_method,
        min(inertia) as inertia,
        min(silhouette) as silhouette,
        min(calinski_harabasz) as calinski_harabasz,
        min(davies_bouldin) as davies_bouldin,
        min(stability_resample_count) as stability_resample_count,
        min(stability_ari_mean) as stability_ari_mean,
        min(stability_ari_min) as stability_ari_min,
        min(feature_signature) as feature_signature,
        count(distinct dimension_name) as dimension_count,
        min(input_customer_count) as input_customer_count,
        min(sample_row_count) as sample_row_count,
        min(selection_row_count) as selection_row_count,
        min(random_state) as random_state,
        min(n_init) as n_init,
        min(outlier_iqr_multiplier) as outlier_iqr_multiplier,
        min(total_fit_seconds) as total_fit_seconds,
        count(distinct case when identity_status = 'kept' then segment_id end)
            as kept_segment_count,
        count(distinct case when identity_status = 'new' then segment_id end)
            as new_segment_count
    from chosen_fits
    group by model_version
),

with_previous as (
    select
        per_version.*,
        lag(per_version.k) over (order by per_version.model_version) as previous_k,
        max(per_version.model_version) over () as current_model_version
    from per_version
),

final as (
    select
        model_version,
        fitted_at,
        dbt_invocation_id,
        k,
        algorithm,
        label_agreement,
        clustering_features,
        selection_method,
        inertia,
        silhouette,
        calinski_harabasz,
        davies_bouldin,
        stability_resample_count,
        stability_ari_mean,
        stability_ari_min,
        feature_signature,
        dimension_count,
        input_customer_count,
        sample_row_count,
        selection_row_count,
        random_state,
        n_init,
        outlier_iqr_multiplier,
        total_fit_seconds,
        kept_segment_count,
        new_segment_count,
        {#- Every previous segment is either continued (kept) or retired. #}
        coalesce(previous_k - kept_segment_count, 0) as retired_segment_count,
        model_version = current_model_version as is_current
    from with_previous
)

select * from final
