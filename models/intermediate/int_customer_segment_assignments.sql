{#- The narrow view customer_segment_history tracks: who is in which segment now. -#}

with

customer_segments as (
    select * from {{ ref('customer_segments') }}
),

current_model as (
    select distinct model_version from {{ ref('int_segment_model_current') }}
),

assignments as (
    select
        customer_segments.customer_id,
        customer_segments.segment_id,
        current_model.model_version
    from customer_segments
    cross join current_model
)

select * from assignments
