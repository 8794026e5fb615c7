{#- Every model version ever fitted, as the registry keeps it (one row per version,
    candidate k, segment and model dimension), for readers. -#}

with

registry as (
    select * from {{ ref('int_segment_models_registered') }}
)

select * from registry
