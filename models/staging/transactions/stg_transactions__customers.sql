{#- One row per customer with a usable transaction line: recency,
    frequency and monetary value as of rfm_as_of (default: the day after the latest
    usable line), over the lines of the last rfm_window_days days (default: all).

    A purchase occasion is an order (its order id) when the line has one, else a
    calendar day of the customer's lines; its net amount is the sum of its lines
    (returns and cancellations are negative lines), its date the latest of its lines.
    frequency counts the occasions whose net amount is above zero; recency_days is
    as_of minus the date of the latest of them, in whole days; monetary is the sum of
    every line amount in the window, returns included, rounded to cents. A customer
    with no such occasion (only returns, or only zero amounts) is not scored
    (is_scored false, with the reason): the segmentation leaves them out. A customer
    whose lines all fall before the window has line_count 0 and only
    lines_before_window: kept so that data_quality_summary counts those lines from
    here, and left out by every model that reads RFM values (line_count > 0).

    One pass over the log, lines to occasions to customers in one query: writing the
    occasions down (one row per order) costs more than the whole fold. The
    default rfm_as_of is computed here, from the same pass, and kept in rfm_as_of for
    the models after (rfm_as_of_date reads it). Only a window without an rfm_as_of var
    needs the date before the pass: then the log is read once more for it. -#}
{%- set configured_as_of = var('rfm_as_of', none) %}
{%- set window_days = rfm_window_days() %}
{%- set window_as_of = rfm_as_of_date(
    ref('stg_transactions__lines'), 'line_time', 'not is_quarantined', day_after=true
) if window_days is not none else none %}
{#- Without a window every line is in it: the fold then neither groups nor filters by
    is_in_window, which keeps each order's hash-table entry small enough to stay in
    memory at scale. #}
{%- set windowed = window_as_of is not none %}

with

lines as (
    select * from {{ ref('stg_transactions__lines') }}
),

usable_lines as (
    select
        customer_id,
        order_id,
        case when order_id is null then cast(line_time as date) end as occasion_day,
        {%- if windowed %}
        cast(line_time as date)
            >= {{ dbt.dateadd('day', -window_days, "cast('" ~ window_as_of ~ "' as date)") }}
            as is_in_window,
        {%- endif %}
        {#- Every date the fold keeps is a calendar day: days aggregate faster than
            times. #}
        cast(line_time as date) as line_date,
        cast(amount as decimal(38, 6)) as amount
    from lines
    where not is_quarantined
),

{#- The lines of an order on either side of the window's start make two occasions:
    only the lines in the window count. #}
occasions as (
    select
        customer_id,
        {%- if windowed %}
        is_in_window,
        {%- endif %}
        sum(amount) as net_amount,
        max(line_date) as occasion_date,
        count(*) as line_count
    from usable_lines
    group by customer_id, order_id, occasion_day{{ ', is_in_window' if windowed }}
),

{%- set in_window_and = 'is_in_window and ' if windowed else '' %}
customers as (
    select
        customer_id,
        count(case when {{ in_window_and }}net_amount > 0 then 1 end) as frequency,
        min(case when {{ in_window_and }}net_amount > 0 then occasion_date end)
            as first_purchase_date,
        max(case when {{ in_window_and }}net_amount > 0 then occasion_date end)
            as last_purchase_date,
        max(occasion_date) as latest_line_date,
        {%- if windowed %}
        round(sum(case when is_in_window then net_amount end), 2) as monetary,
        count(case when is_in_window then 1 end) as occasion_count,
        coalesce(sum(case when is_in_window then line_count end), 0) as line_count,
        coalesce(sum(case when not is_in_window then line_count end), 0)
            as lines_before_window
        {%- else %}
        round(sum(net_amount), 2) as monetary,
        count(*) as occasion_count,
        sum(line_count) as line_count,
        0 as lines_before_window
        {%- endif %}
    from occasions
    group by customer_id
),

dated as (
    select
        *,
        {%- if configured_as_of is not none %}
        cast('{{ checked_date_var(configured_as_of, "rfm_as_of") }}' as date) as as_of_date
        {%- elif window_as_of is not none %}
        cast('{{ window_as_of }}' as date) as as_of_date
        {%- else %}
        {#- The day after the latest usable line: every usable line is in the window.
            A scalar subquery, not max() over (): a window over every customer holds
            all their columns at once. #}
        {%- set day_after_latest = dbt.dateadd(
            'day', 1, '(select max(latest_line_date) from customers as all_customers)'
        ) %}
        cast({{ day_after_latest }} as date) as as_of_date
        {%- endif %}
    from customers
),

final as (
    select
        customer_id,
        case
            when frequency = 0
                then 'no purchase in the window: only returns or zero amounts'
        end as unscored_reason,
        first_purchase_date,
        last_purchase_date,
        as_of_date as rfm_as_of,
        {%- set recency = dbt.datediff('last_purchase_date', 'as_of_date', 'day') %}
        cast({{ recency }} as {{ dbt.type_int() }}) as recency_days,
        cast(frequency as {{ dbt.type_int() }}) as frequency,
        cast(monetary as {{ double_type() }}) as monetary,
        cast(monetary as {{ double_type() }}) / nullif(frequency, 0) as average_order_value,
        {%- set tenure = dbt.datediff('first_purchase_date', 'as_of_date', 'day') %}
        cast({{ tenure }} as {{ dbt.type_int() }}) as tenure_days,
        cast(occasion_count as {{ dbt.type_int() }}) as occasion_count,
        cast(line_count as {{ dbt.type_bigint() }}) as line_count,
        cast(lines_before_window as {{ dbt.type_bigint() }}) as lines_before_window,
        frequency > 0 as is_scored
    from dated
)

select * from final
