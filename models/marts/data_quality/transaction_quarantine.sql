{#- The rejected lines of the transaction log, with their values as read and every
    reason. Empty without a transaction log. -#}

with

lines as (
    select * from {{ ref('stg_transactions__lines') }}
),

quarantined as (
    select
        line_number,
        {{ as_text('customer_id') }} as customer_id,
        raw_values,
        rejection_reason
    from lines
    where is_quarantined
)

select * from quarantined
