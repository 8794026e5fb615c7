{#- The current model's segments with their names as the registry keeps them (a segment
    that continues a previous model's keeps its name, see int_segment_identity), and
    the bands their centroids sit in now, as one readable text. -#}

with

current_model as (
    select * from {{ ref('int_segment_model_current') }}
),

segment_bands as (
    select * from {{ ref('int_segment_bands') }}
),

segments as (
    select distinct
        segment_id,
        segment_name,
        persona_name,
        persona_summary,
        is_rule_named
    from current_model
),

bands_text as (
    select
        segment_id,
        {{ ordered_listagg(
            "feature_name || ': ' || coalesce(band_code, 'unbanded')", "'; '", 'dimension_position'
        ) }} as centroid_bands
    from segment_bands
    group by segment_id
),

personas as (
    select
        segments.segment_id,
        segments.segment_name,
        segments.persona_name,
        segments.persona_summary,
        bands_text.centroid_bands,
        segments.is_rule_named
    from segments
    left join bands_text
        on segments.segment_id = bands_text.segment_id
)

select * from personas
