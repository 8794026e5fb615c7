{#- The rejected lines of the transaction log, with their values as read and every
    reason. Empty without a transaction log. -#}

with

rejected_lines as (
    select * from {{ ref('stg_transactions__rejected_lines') }}
),

quarantined as (
    select
        line_number,
        customer_id,
        raw_values,
        rejection_reason
    from rejected_lines
)

select * from quarantined
