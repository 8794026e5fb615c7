-- Assert that the data quality outcomes add up to the rows of each input: the customer
-- table's and the transaction log's.
with

staged as (
    select
        'customers' as input_table,
        count(*) as input_rows
    from {{ ref('stg_input__customers') }}

    union all

    select
        'transactions' as input_table,
        count(*) as input_rows
    from {{ ref('stg_transactions__lines') }}
),

summarised as (
    select
        input_table,
        sum(row_count) as outcome_rows
    from {{ ref('data_quality_summary') }}
    group by input_table
)

select
    staged.input_table,
    staged.input_rows,
    summarised.outcome_rows
from staged
inner join summarised
    on staged.input_table = summarised.input_table
where staged.input_rows != summarised.outcome_rows
