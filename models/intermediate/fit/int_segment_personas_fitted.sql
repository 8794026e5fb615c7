{#- The persona rule (persona_definitions seed) that names each segment of this build's
    chosen fit: the rule whose every condition holds for the segment's centroid bands,
    the most specific first (most conditions, then persona name). A segment no rule
    names has a null persona here; int_segment_identity gives it a generated name. -#}

with

segment_bands as (
    select * from {{ ref('int_segment_bands_fitted') }}
),

persona_definitions as (
    select * from {{ ref('persona_definitions') }}
),

segments as (
    select distinct candidate_segment from segment_bands
),

matches as (
    {{ matching_rules('persona_definitions', 'persona_name', 'segment_bands', 'candidate_segment')
        | indent(4) }}
),

best_matches as (
    select
        candidate_segment,
        persona_name,
        condition_count
    from (
        select
            *,
            row_number() over (
                partition by candidate_segment
                order by condition_count desc, persona_name asc
            ) as match_order
        from matches
    ) as ranked_matches
    where match_order = 1
),

personas as (
    select
        segments.candidate_segment,
        best_matches.persona_name,
        persona_definitions.persona_summary,
        coalesce(best_matches.condition_count, 0) as condition_count
    from segments
    left join best_matches
        on segments.candidate_segment = best_matches.candidate_segment
    left join persona_definitions
        on best_matches.persona_name = persona_definitions.persona_name
)

select * from personas
