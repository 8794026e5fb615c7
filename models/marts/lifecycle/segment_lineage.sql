{#- What each model version did to each segment id: a segment is new, kept (it
    continues the previous version's segment with the same id) or retired (it was in
    the previous version and nothing continues it). -#}

with

registry as (
    select * from {{ ref('int_segment_models_registered') }}
),

versions as (
    select distinct model_version from registry
),

consecutive_versions as (
    select
        model_version,
        lag(model_version) over (order by model_version) as previous_model_version
    from versions
),

segments as (
    select distinct
        model_version,
        segment_id,
        segment_name,
        identity_status,
        match_distance
    from registry
    where is_selected_k
),

present as (
    select
        model_version,
        segment_id,
        segment_name,
        identity_status as lineage_status,
        match_distance
    from segments
),

retired as (
    select
        consecutive_versions.model_version,
        previous_segments.segment_id,
        previous_segments.segment_name,
        'retired' as lineage_status,
        cast(null as {{ double_type() }}) as match_distance
    from consecutive_versions
    inner join segments as previous_segments
        on consecutive_versions.previous_model_version = previous_segments.model_version
    left join segments as current_segments
        on consecutive_versions.model_version = current_segments.model_version
        and previous_segments.segment_id = current_segments.segment_id
    where current_segments.segment_id is null
),

lineage as (
    select * from present
    union all
    select * from retired
)

select * from lineage
