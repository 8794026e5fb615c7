{#- One row per line of the transaction log, bad ones included: the customer id, the
    order id (when the log has one), the line's time, and its amount (the amount
    column, or quantity x unit price), cast safely, and the verdict. A line is rejected
    for a missing or unusable customer id, a missing or unreadable date, an amount,
    quantity or price that is not a number, or a date after rfm_as_of; its raw values
    are kept for transaction_quarantine. Exact duplicate lines are kept: two identical
    items on one order are two lines. Without a transaction log (no transactions_file
    or transactions_relation) the table is empty. -#}
{%- set input_relation = transactions_input() %}

{%- if input_relation is none %}

with

no_transactions as (
    select
        cast(null as {{ dbt.type_bigint() }}) as line_number,
        cast(null as {{ dbt.type_bigint() }}) as customer_id,
        cast(null as {{ dbt.type_string() }}) as order_id,
        cast(null as {{ dbt.type_string() }}) as rejection_reason,
        cast(null as {{ dbt.type_string() }}) as raw_values,
        cast(null as {{ dbt.type_timestamp() }}) as line_time,
        cast(null as {{ double_type() }}) as amount,
        false as is_quarantined
    where 1 = 0
)

select * from no_transactions
{%- else %}
{%- set columns = resolved_transaction_columns(input_relation) %}
{%- set id_type = decided_id_type(
    input_relation, columns.customer_id.header, columns.customer_id.input_kind
) if execute else 'integer' %}
{%- set customer_id = {
    'mode': 'column', 'type': id_type, 'header': columns.customer_id.header,
    'input_kind': columns.customer_id.input_kind,
} %}
{%- set number_roles = ['amount'] if 'amount' in columns else ['quantity', 'unit_price'] %}
{%- set as_of = var('rfm_as_of', none) %}
{#- Each field's checks, in the order its reasons are listed. #}
{%- set checks = {'customer_id': customer_id_checks(customer_id)} %}
{%- set shown_date = as_text('raw__date') %}
{%- set date_checks = [
    {'when': 'raw__date is null and line_time is null', 'then': "'missing date'"},
    {'when': 'line_time is null',
        'then': "'date is not a date: \"' || left(" ~ shown_date ~ ", 40) || '\"'"},
] %}
{%- if as_of is not none %}
{%- do date_checks.append({
    'when': "cast(line_time as date) > cast('"
        ~ checked_date_var(as_of, 'rfm_as_of') ~ "' as date)",
    'then': "'date after rfm_as_of " ~ as_of ~ ": ' || " ~ shown_date,
}) %}
{%- endif %}
{%- do checks.update({'date': date_checks}) %}
{%- for role in number_roles %}
{%- set label = role.replace('_', ' ') %}
{%- do checks.update({role: [
    {'when': 'raw__' ~ role ~ ' is null', 'then': "'missing " ~ label ~ "'"},
    {'when': 'number__' ~ role ~ ' is null or not ' ~ is_finite_number('number__' ~ role),
        'then': "'" ~ label ~ " is not a number: \"' || left("
            ~ as_text('raw__' ~ role) ~ ", 40) || '\"'"},
]}) %}
{%- endfor %}

with

input_rows as {{ not_materialized() }} (
    select
        {{ input_row_number(input_relation) }} as line_number,
        {{ raw_input_value(columns.customer_id.expression, columns.customer_id.input_kind, true) }}
            as raw_customer_id,
        {%- if 'order_id' in columns %}
        {#- Whole-number order ids stay numbers: the customers' fold groups every line
            by its order, and numbers group faster than text. #}
        {{ raw_input_value(
            columns.order_id.expression, columns.order_id.input_kind,
            columns.order_id.input_kind == 'integer'
        ) }}
            as raw__order_id,
        {%- endif %}
        {%- if is_time_kind(columns.date.input_kind) %}
        {#- Typed dates stay typed: text only where a message or raw_values needs it. #}
        {{ columns.date.expression }} as raw__date,
        {%- else %}
        {{ raw_input_value(columns.date.expression, columns.date.input_kind, false) }}
            as raw__date,
        {%- endif %}
        {{ parsed_transaction_time(columns.date.expression, columns.date.input_kind) }}
            as line_time,
        {%- for role in number_roles %}
        {{ raw_input_value(columns[role].expression, columns[role].input_kind, true) }}
            as raw__{{ role }}{% if not loop.last %},{% endif %}
        {%- endfor %}
    from {{ input_relation }}
),

parsed as (
    select
        {%- if id_type == 'integer' %}
        try_cast(raw_customer_id as {{ dbt.type_bigint() }}) as customer_id__integer,
        {{ try_cast_double('raw_customer_id') }} as customer_id__number,
        {%- endif %}
        {%- for role in number_roles %}
        {{ try_cast_double('raw__' ~ role) }} as number__{{ role }},
        {%- endfor %}
        *
    from input_rows
),

field_problems as (
    select
        {%- for field, field_checks in checks.items() %}
        {{ first_failed_check(field_checks) }} as problem__{{ field }},
        {%- endfor %}
        {#- The same checks as plain conditions: what every reader of usable lines
            filters on, without a message built or tested per line. #}
        {{ any_check_failed(checks.values() | sum(start=[])) }} as is_quarantined,
        *
    from parsed
),

verdicts as (
    select
        *,
        {#- Joined only on lines with a problem: concat_ws on every line costs seconds
            at a hundred million lines. #}
        case
            when is_quarantined
                then concat_ws(
                    '; '
                    {%- for field in checks %},
                    problem__{{ field }}
                    {%- endfor %}
                )
        end as rejection_reason
    from field_problems
),

final as (
    select
        line_number,
        case
            when not is_quarantined then
                {%- if id_type == 'integer' %}
                coalesce(customer_id__integer, cast(customer_id__number as {{ dbt.type_bigint() }}))
                {%- else %}
                raw_customer_id
                {%- endif %}
        end as customer_id,
        {%- if 'order_id' in columns %}
        raw__order_id as order_id,
        {%- else %}
        cast(null as {{ dbt.type_string() }}) as order_id,
        {%- endif %}
        rejection_reason,
        case
            when is_quarantined then {{ json_object_text(
                [(columns.customer_id.header, as_text('raw_customer_id'))]
                + ([(columns.order_id.header, as_text('raw__order_id'))] if 'order_id' in columns else [])
                + [(columns.date.header, as_text('raw__date'))]
                + rendered_number_pairs(columns, number_roles)
            ) }}
        end as raw_values,
        case when not is_quarantined then line_time end as line_time,
        case
            when not is_quarantined then
                {%- if 'amount' in columns %}
                number__amount
                {%- else %}
                number__quantity * number__unit_price
                {%- endif %}
        end as amount,
        is_quarantined
    from verdicts
)

select * from final
{%- endif %}
