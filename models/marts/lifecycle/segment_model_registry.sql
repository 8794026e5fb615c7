{#- Every fit, kept: one model version per refitting build, appended. Never rebuilt
    from scratch (full_refresh: false), so past versions stay inspectable and scoring
    with `refit: false` has a model to use. -#}
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

fitted as (
    select * from {{ ref('int_segment_centroids_fitted') }}
),

identities as (
    select * from {{ ref('int_segment_identity') }}
),

scaling as (
    select * from {{ ref('segment_feature_scaling') }}
),

scaling_by_feature as (
    {{ feature_scaling_in_one_row('scaling') }}
),

valid_customers as (
    select max(customer_count) as input_customer_count from scaling
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
        fitted.k,
        fitted.candidate_segment,
        fitted.is_selected_k,
        fitted.is_elbow_k,
        cast(identities.segment_id as {{ dbt.type_bigint() }}) as segment_id,
        identities.identity_status,
        identities.match_distance,
        identities.segment_name,
        identities.persona_name,
        identities.persona_summary,
        fitted.sample_customer_count,
        {%- for feature in known_segmentation_features() %}
        fitted.centroid_{{ feature }}_z,
        fitted.centroid_{{ feature }},
        {%- endfor %}
        fitted.outlier_distance_threshold,
        fitted.outlier_iqr_multiplier,
        fitted.inertia,
        fitted.silhouette,
        fitted.calinski_harabasz,
        fitted.davies_bouldin,
        fitted.stability_resample_count,
        fitted.stability_ari_mean,
        fitted.stability_ari_min,
        fitted.algorithm,
        fitted.label_agreement,
        fitted.clustering_features,
        fitted.selection_method,
        {%- for feature in known_segmentation_features() %}
        scaling_by_feature.{{ feature }}_mean,
        scaling_by_feature.{{ feature }}_std,
        {%- endfor %}
        valid_customers.input_customer_count,
        fitted.sample_row_count,
        fitted.selection_row_count,
        fitted.centroid_row_count,
        fitted.random_state,
        fitted.n_init,
        fitted.fit_seconds,
        fitted.selection_seconds,
        fitted.total_fit_seconds
    from fitted
    cross join previous_version
    cross join scaling_by_feature
    cross join valid_customers
    left join identities
        on fitted.is_selected_k
        and fitted.candidate_segment = identities.candidate_segment
)

select * from versioned
{%- endif %}
