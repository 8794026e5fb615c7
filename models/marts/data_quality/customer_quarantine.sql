{#- The rejected input rows, with the values as read (staging keeps them for these rows
    only) and every reason. -#}

with

staged_customers as (
    select * from {{ ref('stg_input__customers') }}
),

quarantined as (
    select
        input_row_number,
        {{ as_text('customer_id') }} as customer_id,
        raw_values,
        rejection_reason
    from staged_customers
    where is_quarantined
)

select * from quarantined
