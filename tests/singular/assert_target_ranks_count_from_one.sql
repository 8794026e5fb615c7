-- Assert that each campaign's target_rank runs 1, 2, ... up to its number of targets:
-- its lowest rank is 1, its highest the count, and the ranks add up to n(n + 1) / 2.
-- On DuckDB the ranks number the rows of a temporary table written in contact order
-- (macros/campaign_order.sql); a campaign whose rows were not consecutive there would
-- fail. Rows: the campaigns whose ranks do not count from one.

with

campaign_ranks as (
    select
        campaign_code,
        count(*) as target_count,
        min(target_rank) as lowest_rank,
        max(target_rank) as highest_rank,
        sum(target_rank) as rank_sum
    from {{ ref('marketing_targets') }}
    group by campaign_code
)

select *
from campaign_ranks
where lowest_rank != 1
    or highest_rank != target_count
    or 2 * rank_sum != target_count * (target_count + 1)
