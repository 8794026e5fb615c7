-- Assert that this build's migrations into each segment add up to the segment's
-- customers now, and the customers who left or stayed/moved out of each segment to its
-- customers in the previous build (customer_segment_history as it stood before).
{%- set this_build = build_started_at() %}

with

migrations as (
    select * from {{ ref('segment_migrations') }}
    where built_at = {{ this_build }}
),

history as (
    select * from {{ ref('customer_segment_history') }}
),

customer_segments as (
    select * from {{ ref('customer_segments') }}
),

{#- What the migrations say: customers into each segment now, out of each segment
    since the previous build. #}
migrated as (
    select
        'into' as direction,
        to_segment_id as segment_id,
        sum(customer_count) as customer_count
    from migrations
    where to_segment_id is not null
    group by to_segment_id

    union all

    select
        'out of' as direction,
        from_segment_id as segment_id,
        sum(customer_count) as customer_count
    from migrations
    where from_segment_id is not null
    group by from_segment_id
),

{#- What the segments hold: now, and in the previous build. #}
counted as (
    select
        'into' as direction,
        segment_id,
        count(*) as customer_count
    from customer_segments
    group by segment_id

    union all

    select
        'out of' as direction,
        segment_id,
        count(*) as customer_count
    from history
    where valid_from < {{ this_build }}
        and (valid_to is null or valid_to >= {{ this_build }})
    group by segment_id
),

mismatches as (
    select
        coalesce(migrated.direction, counted.direction) as direction,
        coalesce(migrated.segment_id, counted.segment_id) as segment_id,
        migrated.customer_count as migrated,
        counted.customer_count as counted
    from migrated
    full outer join counted
        on migrated.direction = counted.direction
        and migrated.segment_id = counted.segment_id
    where migrated.customer_count is distinct from counted.customer_count
)

select * from mismatches
