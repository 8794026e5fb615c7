{#- Where every input row went: the customer table's rows (six outcomes) and, when the
    segmentation starts from a transaction log, its lines (four). Each input's counts
    add up to its rows; shares are within each input. -#}
with

staged_customers as (
    select * from {{ ref('stg_input__customers') }}
),

transaction_customers as (
    select * from {{ ref('stg_transactions__customers') }}
),

rejected_lines as (
    select * from {{ ref('stg_transactions__rejected_lines') }}
),

customer_outcomes as (
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
),

line_outcomes as (
    select
        'transaction line before the RFM window' as outcome,
        cast(coalesce(sum(lines_before_window), 0) as {{ dbt.type_bigint() }}) as row_count
    from transaction_customers

    union all

    select
        {%- if rfm_joins_customer_table() %}
        case
            when table_customers.rfm__customer_id is null
                then 'transaction line of a customer not in the customer table'
            else 'transaction line in RFM'
        end as outcome,
        {%- else %}
        'transaction line in RFM' as outcome,
        {%- endif %}
        cast(sum(transaction_customers.line_count) as {{ dbt.type_bigint() }}) as row_count
    from transaction_customers
    {%- if rfm_joins_customer_table() %}
    left join (
        select distinct rfm__customer_id
        from {{ ref('stg_transactions__segmentation_input') }}
        where rfm__customer_id is not null
    ) as table_customers
        on transaction_customers.customer_id = table_customers.rfm__customer_id
    {%- endif %}
    group by 1

    union all

    select
        'transaction line quarantined' as outcome,
        count(*) as row_count
    from rejected_lines
),

outcomes as (
    select * from customer_outcomes
    union all
    select * from line_outcomes
),

all_outcomes as (
    select
        expected.input_table,
        expected.outcome,
        expected.outcome_order,
        coalesce(outcomes.row_count, 0) as row_count
    from (
        values
        ('customers', 'segmented', 1),
        ('customers', 'segmented, fractional value rounded', 2),
        ('customers', 'segmented, missing value imputed', 3),
        ('customers', 'exact duplicate collapsed', 4),
        ('customers', 'not segmented: no purchase in the transaction log', 5),
        ('customers', 'quarantined', 6),
        ('transactions', 'transaction line in RFM', 7),
        ('transactions', 'transaction line before the RFM window', 8),
        ('transactions', 'transaction line of a customer not in the customer table', 9),
        ('transactions', 'transaction line quarantined', 10)
    ) as expected (input_table, outcome, outcome_order)
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
