{#- The raw values are read again from the input, for the rejected rows only (staging
    keeps none: carried for every row they cost more than this second read, and with
    nothing rejected the join reads no input at all). -#}

with

staged_customers as (
    select * from {{ ref('stg_mall__customers') }}
),

rejected as (
    select
        input_row_number,
        customer_id,
        rejection_reason
    from staged_customers
    where is_quarantined
),

input_rows as (
    {{ customer_input_rows(customers_input()) | indent(4) }}
),

quarantined as (
    select
        rejected.input_row_number,
        rejected.customer_id,
        {%- for name in required_customer_columns() %}
        {{ as_text('input_rows.raw_' ~ name) }} as raw_{{ name }},
        {%- endfor %}
        rejected.rejection_reason
    from rejected
    inner join input_rows
        on rejected.input_row_number = input_rows.input_row_number
)

select * from quarantined
