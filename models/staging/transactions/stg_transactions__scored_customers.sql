{#- The customers the segmentation starts from when it starts from a transaction log:
    those with a purchase in the RFM window, with their RFM values. customers_input()
    reads this in place of a customer table. -#}

with

transaction_customers as (
    select * from {{ ref('stg_transactions__customers') }}
),

scored as (
    select
        customer_id,
        recency_days,
        frequency,
        monetary,
        average_order_value,
        tenure_days,
        first_purchase_date,
        last_purchase_date
    from transaction_customers
    where is_scored
)

select * from scored
