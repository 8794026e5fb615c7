{#- Where each segment of the current model sits on each feature now: the band of its
    centroid (macros/segment_bands.sql), which picks its campaigns. Names stay with the
    segment (int_segment_personas); bands follow the centroid. -#}

with

current_model as (
    select * from {{ ref('int_segment_model_current') }}
),

bands as (
    select * from {{ ref('customer_bands') }}
),

segment_bands as (
    {{ centroid_feature_bands('current_model', 'bands', 'segment_id') | indent(4) }}
)

select * from segment_bands
