-- Assert that this build's migrations into each segment add up to the segment's
-- customers now, and the customers who left or stayed/moved out of each segment to its
-- customers in the previous build (customer_segment_history as it stood before).
{%- set this_build = build_started_at() %}

with

migrations as (
    select * from {{ ref('segment_migrations') }} where built_at = {{ this_build }}
),

history as (
    select * from {{ ref('customer_segment_history') }}
),

customer_segments as (
    select * from {{ ref('customer_segments') }}
),

into_segments as (
    select to_segment_id as segment_id, sum(customer_count) as customer_count
    from migrations
    where to_segment_id is not null
    group by to_segment_id
),

now_in_segments as (
    select segment_id, count(*) as customer_count
    from customer_segments
    group by segment_id
),

out_of_segments as (
    select from_segment_id as segment_id, sum(customer_count) as customer_count
    from migrations
    where from_segment_id is not null
    group by from_segment_id
),

before_in_segments as (
    select segment_id, count(*) as customer_count
    from history
    where valid_from < {{ this_build }}
        and (valid_to is null or valid_to >= {{ this_build }})
    group by segment_id
),

mismatches as (
    select 'into' as direction, coalesce(a.segment_id, b.segment_id) as segment_id,
        a.customer_count as migrated, b.customer_count as counted
    from into_segments as a
    full outer join now_in_segments as b on a.segment_id = b.segment_id
    where a.customer_count is distinct from b.customer_count

    union all

    select 'out of' as direction, coalesce(a.segment_id, b.segment_id) as segment_id,
        a.customer_count as migrated, b.customer_count as counted
    from out_of_segments as a
    full outer join before_in_segments as b on a.segment_id = b.segment_id
    where a.customer_count is distinct from b.customer_count
)

select * from mismatches
