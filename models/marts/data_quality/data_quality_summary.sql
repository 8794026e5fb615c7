{#- Where every input row went: the customer table's rows (six outcomes) and, when the
    segmentation starts from a transaction log, its lines (four). Each input's counts
    add up to its rows; shares are within each input. -#}
{%- set as_of = rfm_as_of_date(ref('stg_transactions__lines')) %}
{%- set window_days = rfm_window_days() %}

with

staged_customers as (
    select * from {{ ref('stg_input__customers') }}
),

transaction_lines as (
    select * from {{ ref('stg_transactions__lines') }}
),

outcomes as (
    select
        case
            when is_quarantined then 'quarantined'
            when is_exact_duplicate then 'exact duplicate collapsed'
            when is_without_purchase then 'not segmented: no purchase in the transaction log'
            when has_imputed_value then 'segmented, missing value imputed'
            when has_rounded_value then 'segmented, fractional value rounded'
            else 'segmented'
        end as outcome,
        count(*) as row_count
    from staged_customers
    group by 1

    union all

    select
        case
            when transaction_lines.is_quarantined then 'transaction line quarantined'
            {%- if window_days is not none and as_of is not none %}
            when cast(transaction_lines.line_time as date)
                < {{ dbt.dateadd('day', -window_days, "cast('" ~ as_of ~ "' as date)") }}
                then 'transaction line before the RFM window'
            {%- endif %}
            {%- if rfm_joins_customer_table() %}
            when table_customers.rfm__customer_id is null
                then 'transaction line of a customer not in the customer table'
            {%- endif %}
            else 'transaction line in RFM'
        end as outcome,
        count(*) as row_count
    from transaction_lines
    {%- if rfm_joins_customer_table() %}
    left join (
        select distinct rfm__customer_id
        from {{ ref('stg_transactions__segmentation_input') }}
        where rfm__customer_id is not null
    ) as table_customers
        on transaction_lines.customer_id = table_customers.rfm__customer_id
    {%- endif %}
    group by 1
),

all_outcomes as (
    select
        expected.input_table,
        expected.outcome,
        expected.outcome_order,
        coalesce(outcomes.row_count, 0) as row_count
    from (
        select 'customers' as input_table, 'segmented' as outcome, 1 as outcome_order
        union all select 'customers', 'segmented, fractional value rounded', 2
        union all select 'customers', 'segmented, missing value imputed', 3
        union all select 'customers', 'exact duplicate collapsed', 4
        union all select 'customers', 'not segmented: no purchase in the transaction log', 5
        union all select 'customers', 'quarantined', 6
        union all select 'transactions', 'transaction line in RFM', 7
        union all select 'transactions', 'transaction line before the RFM window', 8
        union all select 'transactions', 'transaction line of a customer not in the customer table', 9
        union all select 'transactions', 'transaction line quarantined', 10
    ) as expected
    left join outcomes
        on expected.outcome = outcomes.outcome
),

final as (
    select
        outcome,
        input_table,
        outcome_order,
        row_count,
        cast(row_count as {{ double_type() }})
        / nullif(sum(row_count) over (partition by input_table), 0) as row_share
    from all_outcomes
)

select * from final
