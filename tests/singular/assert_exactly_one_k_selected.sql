-- Assert that the k selection marks exactly one k, and that it has that many segments.
with

selected as (
    select k from {{ ref('segment_k_selection') }}
    where is_selected
),

chosen as (
    select
        count(*) as selected_count,
        max(k) as selected_k
    from selected
),

segments as (
    select count(*) as segment_count from {{ ref('segment_profiles') }}
)

select
    chosen.selected_count,
    chosen.selected_k,
    segments.segment_count
from chosen
cross join segments
where chosen.selected_count != 1
    or chosen.selected_k != segments.segment_count
