{#- The rejected lines of the transaction log: their position, the customer id as
    given, their values as read and every reason. Few rows, kept apart so that the
    quarantine and the data quality counts need not read the log again. -#}

with

lines as (
    select * from {{ ref('stg_transactions__lines') }}
),

rejected as (
    select
        line_number,
        {{ as_text('customer_id') }} as customer_id,
        raw_values,
        rejection_reason
    from lines
    where is_quarantined
)

select * from rejected
