{#- The current model's personas: names as the registry keeps them (a segment that
    continues a previous model's keeps its name, see int_segment_identity), bands as
    the centroid sits now. -#}

with

current_segments as (
    select * from {{ ref('int_segment_model_current') }}
),

bands as (
    select * from {{ ref('customer_bands') }}
),

banded as (
    {{ centroid_bands('current_segments', 'bands', 'segment_id') }}
),

personas as (
    select
        current_segments.segment_id,
        current_segments.segment_name,
        current_segments.persona_name,
        current_segments.persona_summary,
        banded.income_band,
        banded.spending_band,
        banded.age_band,
        banded.income_band_label,
        banded.spending_band_label,
        banded.age_band_label
    from current_segments
    inner join banded
        on current_segments.segment_id = banded.segment_id
)

select * from personas
