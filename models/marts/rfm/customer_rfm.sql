{#- One row per customer with a usable transaction line in the RFM window: recency,
    frequency and monetary value (see stg_transactions__customers), scored 1 to 5 each
    (5 best) and named by the rfm_segments seed. A score is
    least(5, 1 + 5 x (rank - 1) div (n - 1)) in whole numbers, where rank is the
    customer's rank() (ties share the lowest rank) among the n scored customers, by
    recency_days descending (r_score), frequency ascending (f_score) and monetary
    ascending (m_score). Customers with no purchase (frequency 0) are listed, unscored,
    with the reason. Empty without a transaction log.

    With a customer table beside the log, the customers are the table's (its usable
    rows, one per customer, under its ids), and the scores rank those with a purchase;
    the log's customers the table does not hold are left out (data_quality_summary
    counts their lines). -#}

with

{%- if rfm_joins_customer_table() %}
{%- set as_of = rfm_as_of_date(ref('stg_transactions__customers')) %}

transaction_customers as (
    select
        staged_customers.customer_id,
        joined.rfm__unscored_reason as unscored_reason,
        joined.first_purchase_date,
        joined.last_purchase_date,
        {{ "cast('" ~ as_of ~ "' as date)" if as_of is not none else 'cast(null as date)' }}
            as rfm_as_of,
        joined.recency_days,
        joined.frequency,
        joined.monetary,
        joined.average_order_value,
        joined.tenure_days,
        joined.rfm__has_purchase as is_scored
    from {{ ref('stg_input__customers') }} as staged_customers
    inner join {{ ref('stg_transactions__segmentation_input') }} as joined
        on staged_customers.input_row_number = joined.rfm__input_row_number
    where not staged_customers.is_quarantined
        and not staged_customers.is_exact_duplicate
),
{%- else %}

transaction_customers as (
    select * from {{ ref('stg_transactions__customers') }}
    where line_count > 0
),
{%- endif %}

rfm_segments as (
    select * from {{ ref('rfm_segments') }}
),

scored_count as (
    select count(*) as customer_count
    from transaction_customers
    where is_scored
),

ranked as (
    select
        transaction_customers.customer_id,
        rank() over (order by transaction_customers.recency_days desc) as recency_rank,
        rank() over (order by transaction_customers.frequency) as frequency_rank,
        rank() over (order by transaction_customers.monetary) as monetary_rank,
        scored_count.customer_count
    from transaction_customers
    cross join scored_count
    where transaction_customers.is_scored
),

scores as (
    select
        customer_id,
        {%- for score, rank_column in [
            ('r_score', 'recency_rank'), ('f_score', 'frequency_rank'), ('m_score', 'monetary_rank')
        ] %}
        {%- set quintile = integer_division(
            '5 * (' ~ rank_column ~ ' - 1)', 'greatest(customer_count - 1, 1)'
        ) %}
        cast(least(5, 1 + {{ quintile }}) as {{ dbt.type_int() }}) as {{ score }}
        {%- if not loop.last %},{% endif %}
        {%- endfor %}
    from ranked
),

{#- Every score combination (125) named once, by the first rule (rule_order) that
    holds: customers join this small table instead of every rule. #}
score_cells as (
    select
        r_score,
        f_score,
        m_score,
        rfm_segment
    from (
        select
            cells.r_score,
            cells.f_score,
            cells.m_score,
            rfm_segments.rfm_segment,
            row_number() over (
                partition by cells.r_score, cells.f_score, cells.m_score
                order by rfm_segments.rule_order
            ) as rule_rank
        from (
            select
                recency.score as r_score,
                frequency.score as f_score,
                monetary.score as m_score
            from {{ score_range() }} as recency
            cross join {{ score_range() }} as frequency
            cross join {{ score_range() }} as monetary
        ) as cells
        inner join rfm_segments
            on cells.r_score between rfm_segments.r_min and rfm_segments.r_max
            and cells.f_score between rfm_segments.f_min and rfm_segments.f_max
            and cells.m_score between rfm_segments.m_min and rfm_segments.m_max
    ) as matched_cells
    where rule_rank = 1
),

final as (
    select
        transaction_customers.customer_id,
        {{ as_text('scores.r_score') }} || {{ as_text('scores.f_score') }}
        || {{ as_text('scores.m_score') }} as rfm_score,
        score_cells.rfm_segment,
        transaction_customers.unscored_reason,
        transaction_customers.first_purchase_date,
        transaction_customers.last_purchase_date,
        transaction_customers.rfm_as_of,
        transaction_customers.recency_days,
        transaction_customers.frequency,
        transaction_customers.monetary,
        transaction_customers.average_order_value,
        transaction_customers.tenure_days,
        scores.r_score,
        scores.f_score,
        scores.m_score,
        transaction_customers.is_scored
    from transaction_customers
    left join scores
        on transaction_customers.customer_id = scores.customer_id
    left join score_cells
        on scores.r_score = score_cells.r_score
        and scores.f_score = score_cells.f_score
        and scores.m_score = score_cells.m_score
)

select * from final
