{#- The model every customer is scored with: the latest version in the registry (this
    build's fit, or with `refit: false` the last persisted one). One row per segment
    and model dimension. -#}

with

registry as (
    select * from {{ ref('int_segment_models_registered') }}
),

current_version as (
    select max(model_version) as model_version from registry
),

current_segments as (
    select registry.*
    from registry
    inner join current_version
        on registry.model_version = current_version.model_version
    where registry.is_selected_k
)

select * from current_segments
