{#- Where every input row went. The five outcomes add up to the input row count. -#}

with

staged_customers as (
    select * from {{ ref('stg_input__customers') }}
),

outcomes as (
    select
        case
            when is_quarantined then 'quarantined'
            when is_exact_duplicate then 'exact duplicate collapsed'
            when has_imputed_value then 'segmented, missing value imputed'
            when has_rounded_value then 'segmented, fractional value rounded'
            else 'segmented'
        end as outcome,
        count(*) as row_count
    from staged_customers
    group by 1
),

all_outcomes as (
    select
        expected.outcome,
        expected.outcome_order,
        coalesce(outcomes.row_count, 0) as row_count
    from (
        select 'segmented' as outcome, 1 as outcome_order
        union all select 'segmented, fractional value rounded', 2
        union all select 'segmented, missing value imputed', 3
        union all select 'exact duplicate collapsed', 4
        union all select 'quarantined', 5
    ) as expected
    left join outcomes
        on expected.outcome = outcomes.outcome
),

final as (
    select
        outcome,
        outcome_order,
        row_count,
        cast(row_count as {{ double_type() }})
        / nullif(sum(row_count) over (), 0) as row_share
    from all_outcomes
)

select * from final
