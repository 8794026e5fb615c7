{#- One row per customer with a usable transaction line in the RFM window: recency,
    frequency and monetary value as of rfm_as_of (default: the day after the latest
    usable line), over the lines of the last rfm_window_days days (default: all).

    A purchase occasion is an order (its order id) when the line has one, else a
    calendar day of the customer's lines; its net amount is the sum of its lines
    (returns and cancellations are negative lines), its date the latest of its lines.
    frequency counts the occasions whose net amount is above zero; recency_days is
    as_of minus the date of the latest of them, in whole days; monetary is the sum of
    every line amount in the window, returns included, rounded to cents. A customer
    with no such occasion (only returns, or only zero amounts) is not scored
    (is_scored false, with the reason): the segmentation leaves them out. -#}
{%- set as_of = rfm_as_of_date(ref('stg_transactions__lines')) %}
{%- set window_days = rfm_window_days() %}
{%- set as_of_date = "cast('" ~ as_of ~ "' as date)" if as_of is not none
    else 'cast(null as date)' %}

with

lines as (
    select * from {{ ref('stg_transactions__lines') }}
),

window_lines as (
    select
        customer_id,
        order_id,
        line_time,
        cast(amount as decimal(38, 6)) as amount
    from lines
    where not is_quarantined
        {%- if window_days is not none and as_of is not none %}
        and cast(line_time as date) >= {{ dbt.dateadd('day', -window_days, as_of_date) }}
        {%- endif %}
),

occasions as (
    select
        customer_id,
        coalesce(order_id, 'day ' || cast(cast(line_time as date) as {{ dbt.type_string() }}))
            as occasion_key,
        sum(amount) as net_amount,
        max(line_time) as occasion_time,
        count(*) as line_count
    from window_lines
    group by 1, 2
),

customers as (
    select
        customer_id,
        count(case when net_amount > 0 then 1 end) as frequency,
        min(case when net_amount > 0 then occasion_time end) as first_purchase_time,
        max(case when net_amount > 0 then occasion_time end) as last_purchase_time,
        round(sum(net_amount), 2) as monetary,
        count(*) as occasion_count,
        sum(line_count) as line_count
    from occasions
    group by customer_id
),

final as (
    select
        customer_id,
        case
            when frequency = 0
                then 'no purchase in the window: only returns or zero amounts'
        end as unscored_reason,
        cast(first_purchase_time as date) as first_purchase_date,
        cast(last_purchase_time as date) as last_purchase_date,
        {{ as_of_date }} as rfm_as_of,
        cast({{ dbt.datediff('cast(last_purchase_time as date)', as_of_date, 'day') }}
            as {{ dbt.type_int() }}) as recency_days,
        cast(frequency as {{ dbt.type_int() }}) as frequency,
        cast(monetary as {{ double_type() }}) as monetary,
        cast(monetary as {{ double_type() }}) / nullif(frequency, 0) as average_order_value,
        cast({{ dbt.datediff('cast(first_purchase_time as date)', as_of_date, 'day') }}
            as {{ dbt.type_int() }}) as tenure_days,
        cast(occasion_count as {{ dbt.type_int() }}) as occasion_count,
        cast(line_count as {{ dbt.type_bigint() }}) as line_count,
        frequency > 0 as is_scored
    from customers
)

select * from final
