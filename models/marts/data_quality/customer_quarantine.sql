with

staged_customers as (
    select * from {{ ref('stg_mall__customers') }}
),

quarantined as (
    select
        input_row_number,
        customer_id,
        raw_customer_id,
        raw_gender,
        raw_age,
        raw_annual_income,
        raw_spending_score,
        rejection_reason
    from staged_customers
    where is_quarantined
)

select * from quarantined
