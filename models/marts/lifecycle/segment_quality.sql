{#- Quality gates on the current model, one row per check, each with its measured
    value, its floor (a var) and whether it passed. Warn-level tests on `passed`
    (see _lifecycle__models.yml) put a failing gate in the build output without
    failing the build. -#}
{%- set min_silhouette = number_var('min_silhouette', -1, 1) %}
{%- set min_segment_share = number_var('min_segment_share', 0, 1) %}
{%- set min_stability_ari = number_var('min_stability_ari', -1, 1) %}

with

current_model as (
    select * from {{ ref('int_segment_model_current') }}
),

profiles as (
    select * from {{ ref('segment_profiles') }}
),

fit as (
    select
        max(model_version) as model_version,
        max(silhouette) as silhouette,
        max(stability_ari_mean) as stability_ari_mean,
        max(stability_ari_min) as stability_ari_min,
        max(stability_resample_count) as stability_resample_count
    from current_model
),

smallest_segment as (
    select min(customer_share) as customer_share from profiles
),

checks as (
    select
        'silhouette' as check_name,
        fit.silhouette as measured_value,
        {{ min_silhouette }} as threshold,
        'Mean silhouette of the chosen k on the selection rows; floor: min_silhouette.'
            as check_description
    from fit

    union all

    select
        'smallest_segment_share' as check_name,
        smallest_segment.customer_share as measured_value,
        {{ min_segment_share }} as threshold,
        'Share of customers in the smallest segment; floor: min_segment_share.'
            as check_description
    from smallest_segment

    union all

    select
        'stability_ari' as check_name,
        fit.stability_ari_mean as measured_value,
        {{ min_stability_ari }} as threshold,
        'Mean adjusted Rand index of '
        || cast(fit.stability_resample_count as {{ dbt.type_string() }})
        || ' bootstrap refits against the model (lowest '
        || coalesce(cast(round(fit.stability_ari_min, 3) as {{ dbt.type_string() }}), 'n/a')
        || '); floor: min_stability_ari.' as check_description
    from fit
),

final as (
    select
        fit.model_version,
        checks.check_name,
        cast(checks.measured_value as {{ double_type() }}) as measured_value,
        cast(checks.threshold as {{ double_type() }}) as threshold,
        {#- Not measured (no resamples asked for, or a NaN metric): no verdict. #}
        case
            when checks.measured_value is null or isnan(checks.measured_value) then null
            else checks.measured_value >= checks.threshold
        end as passed,
        checks.check_description
    from checks
    cross join fit
)

select * from final
