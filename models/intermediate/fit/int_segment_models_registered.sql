{#- Every fit, kept: one model version per refitting build, appended, one row per
    candidate k, segment and model dimension. Never rebuilt from scratch
    (full_refresh: false), so past versions stay inspectable and scoring with
    `refit: false` has a model to use: each version holds everything scoring needs
    (centroids, and per dimension the feature's spec, imputation value, transform,
    category, mean and scale). segment_model_registry publishes it. -#}
{{ config(
    materialized='incremental',
    incremental_strategy='append',
    full_refresh=false,
    on_schema_change='append_new_columns',
) }}

{%- if not refit_enabled() %}
{{ require_persisted_model(this) }}

{#- Scoring only: no new version. #}
select * from {{ this }} where 1 = 0
{%- else %}

with

candidates as (
    select * from {{ ref('int_segment_candidates_fitted') }}
),

identities as (
    select * from {{ ref('int_segment_identity') }}
),

feature_statistics as (
    select * from {{ ref('int_feature_statistics') }}
),

valid_customers as (
    select count(*) as input_customer_count from {{ ref('int_customers_cleaned') }}
),

clustering_features as (
    select
        {{ ordered_listagg('feature_name', "','", 'feature_position') }} as clustering_features
    from (
        select distinct
            feature_name,
            feature_position
        from feature_statistics
    ) as features
),

previous_version as (
    {%- if is_incremental() %}
    select max(model_version) as model_version from {{ this }}
    {%- else %}
    select cast(null as {{ dbt.type_bigint() }}) as model_version
    {%- endif %}
),

versioned as (
    select
        cast(coalesce(previous_version.model_version, 0) + 1 as {{ dbt.type_bigint() }})
            as model_version,
        {{ build_started_at() }} as fitted_at,
        '{{ invocation_id }}' as dbt_invocation_id,
        candidates.k,
        candidates.candidate_segment,
        feature_statistics.dimension_position,
        cast(identities.segment_id as {{ dbt.type_bigint() }}) as segment_id,
        identities.identity_status,
        identities.segment_name,
        identities.persona_name,
        identities.persona_summary,
        candidates.dimension_name,
        feature_statistics.feature_name,
        feature_statistics.feature_kind,
        feature_statistics.category,
        feature_statistics.transform,
        feature_statistics.missing_policy,
        feature_statistics.imputation_category,
        feature_statistics.unit,
        feature_statistics.input_header,
        feature_statistics.configured_column,
        feature_statistics.feature_signature,
        clustering_features.clustering_features,
        candidates.algorithm,
        candidates.selection_method,
        identities.match_distance,
        candidates.sample_customer_count,
        candidates.centroid_value,
        {#- Back in the feature's own units (numeric), or the category's share among
            the segment's members (categorical). #}
        case
            when feature_statistics.feature_kind = 'numeric'
                then {{ untransformed_value(
                    'feature_statistics.feature_mean + candidates.centroid_value'
                    ~ ' / feature_statistics.dimension_scale',
                    'feature_statistics.transform'
                ) }}
            else candidates.centroid_value / feature_statistics.dimension_scale
        end as centroid_original,
        feature_statistics.imputation_value,
        feature_statistics.feature_mean,
        feature_statistics.feature_std,
        feature_statistics.weight,
        feature_statistics.dimension_scale,
        feature_statistics.min_value,
        feature_statistics.max_value,
        feature_statistics.category_share,
        candidates.outlier_distance_threshold,
        candidates.outlier_iqr_multiplier,
        candidates.inertia,
        candidates.silhouette,
        candidates.calinski_harabasz,
        candidates.davies_bouldin,
        candidates.stability_resample_count,
        candidates.stability_ari_mean,
        candidates.stability_ari_min,
        candidates.label_agreement,
        valid_customers.input_customer_count,
        candidates.sample_row_count,
        candidates.selection_row_count,
        candidates.centroid_row_count,
        candidates.random_state,
        candidates.n_init,
        candidates.fit_seconds,
        candidates.selection_seconds,
        candidates.total_fit_seconds,
        candidates.is_selected_k,
        candidates.is_elbow_k,
        identities.is_rule_named,
        candidates.noise_share,
        candidates.gap_statistic,
        candidates.gap_standard_error,
        candidates.gap_reference_log_dispersion,
        candidates.log_dispersion,
        candidates.k_rule,
        cast(candidates.elbow_silhouette_k as {{ dbt.type_bigint() }}) as elbow_silhouette_k,
        cast(candidates.silhouette_k as {{ dbt.type_bigint() }}) as silhouette_k,
        cast(candidates.gap_k as {{ dbt.type_bigint() }}) as gap_k,
        candidates.gap_reference_count,
        candidates.gap_seconds
    from candidates
    inner join feature_statistics
        on candidates.dimension_name = feature_statistics.dimension_name
    cross join previous_version
    cross join valid_customers
    cross join clustering_features
    left join identities
        on candidates.is_selected_k
        and candidates.candidate_segment = identities.candidate_segment
)

select * from versioned
{%- endif %}
