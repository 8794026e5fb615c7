-- Assert that the data quality outcomes add up to the number of input rows.
with

staged as (
    select count(*) as input_rows from {{ ref('stg_input__customers') }}
),

summarised as (
    select sum(row_count) as outcome_rows from {{ ref('data_quality_summary') }}
)

select *
from staged
cross join summarised
where staged.input_rows != summarised.outcome_rows
