-- depends_on: {{ ref('mall_customers') }}
{#- The depends_on line makes the seed load before this model reads it through the
    source (a source alone puts no seed in the DAG). Which input column is which, and
    the rules for each, were resolved once in stg_input__columns. -#}
{%- set input_relation = customers_input() %}
{%- set resolved = customer_columns(ref('stg_input__columns')) %}
{%- set customer_id = resolved.id %}
{%- set columns = resolved.columns %}
{%- set ids_may_repeat = customer_ids_may_repeat(input_relation, customer_id) %}
{%- set numeric_columns = columns | selectattr('kind', 'equalto', 'numeric') | list %}
{%- set rounded_columns = numeric_columns | selectattr('round') | list %}
{%- set imputed_features = columns | selectattr('is_feature')
    | rejectattr('missing', 'equalto', 'quarantine') | list %}
{#- With a transaction log joined onto a customer table, a customer without a purchase
    has no recency (stg_transactions__segmentation_input): when an RFM value is a
    feature, the row is not segmented (is_without_purchase) rather than rejected. #}
{%- set joins_rfm = rfm_joins_customer_table() %}
{%- set rfm_features = columns | selectattr('is_feature')
    | selectattr('header', 'in', rfm_value_columns()) | map(attribute='name') | list
    if joins_rfm else [] %}

with

input_rows as {{ not_materialized() }} (
    select
        {%- if joins_rfm %}
        rfm__input_row_number as input_row_number,
        rfm__has_purchase,
        {%- else %}
        {{ input_row_number(input_relation) }} as input_row_number,
        {%- endif %}
        {%- if customer_id.mode == 'column' %}
        {{ raw_input_value(customer_id.expression, customer_id.input_kind, true) }}
            as raw_customer_id,
        {%- endif %}
        {%- for column in columns %}
        {%- set raw_value = raw_input_value(
            column.expression, column.input_kind, column.kind == 'numeric'
        ) %}
        {{ raw_value }} as raw__{{ column.name }}{% if not loop.last %},{% endif %}
        {%- endfor %}
    from {{ input_relation }}
),

parsed as (
    select
        {%- if customer_id.mode == 'column' and customer_id.type == 'integer' %}
        try_cast(raw_customer_id as {{ dbt.type_bigint() }}) as customer_id__integer,
        {{ try_cast_double('raw_customer_id') }} as customer_id__number,
        {%- endif %}
        {%- for column in columns %}
        {%- if column.kind == 'numeric' %}
        {{ try_cast_double('raw__' ~ column.name) }} as number__{{ column.name }},
        {%- elif column.normalise == 'gender' %}
        {{ normalised_gender('raw__' ~ column.name) }} as text__{{ column.name }},
        {%- else %}
        raw__{{ column.name }} as text__{{ column.name }},
        {%- endif %}
        {%- endfor %}
        *
    from input_rows
),

field_problems as (
    select
        {{ customer_id_problem(customer_id) }} as customer_id__problem,
        {%- for column in columns %}
        {%- if column.name in rfm_features %}
        case when rfm__has_purchase then {{ column_problem(column) }} end
            as problem__{{ column.name }},
        {%- else %}
        {{ column_problem(column) }} as problem__{{ column.name }},
        {%- endif %}
        {%- endfor %}
        *
    from parsed
),

typed as {{ not_materialized() }} (
    select
        *,
        {%- if customer_id.mode == 'position' %}
        input_row_number as customer_id,
        {%- elif customer_id.type == 'integer' %}
        {%- set number_as_id = 'cast(customer_id__number as ' ~ dbt.type_bigint() ~ ')' %}
        case
            when customer_id__problem is null
                then coalesce(customer_id__integer, {{ number_as_id }})
        end as customer_id,
        {%- else %}
        raw_customer_id as customer_id,
        {%- endif %}
        {%- for column in columns %}
        {%- if column.kind != 'numeric' %}
        case when problem__{{ column.name }} is null then text__{{ column.name }} end
            as {{ column.name }},
        {%- elif column.round %}
        {#- A fractional value of a whole-number column (an age in years and months, a
            computed score) is usable: rounded to the nearest whole number, and the
            row flagged. The range is checked on the value as given. #}
        case
            when problem__{{ column.name }} is null
                then cast(round(number__{{ column.name }}) as {{ dbt.type_int() }})
        end as {{ column.name }},
        {%- else %}
        case
            when problem__{{ column.name }} is null
                and {{ is_finite_number('number__' ~ column.name) }}
                then number__{{ column.name }}
        end as {{ column.name }},
        {%- endif %}
        {%- endfor %}
        {#- Never null: with no problem found the number is there and finite. #}
        {%- if rounded_columns %}
        {%- for column in rounded_columns %}
        (
            problem__{{ column.name }} is null
            and number__{{ column.name }} != floor(number__{{ column.name }})
        ){% if not loop.last %} or{% endif %}
        {%- endfor %}
        {%- else %}
        false
        {%- endif %} as has_rounded_value,
        {%- if imputed_features %}
        {%- for column in imputed_features %}
        raw__{{ column.name }} is null{% if not loop.last %} or{% endif %}
        {%- endfor %}
        {%- else %}
        false
        {%- endif %} as has_missing_feature,
        nullif(
            concat_ws(
                '; ',
                customer_id__problem,
                {%- for column in columns %}
                problem__{{ column.name }}{% if not loop.last %},{% endif %}
                {%- endfor %}
            ),
            ''
        ) as value_problems
    from field_problems
),

{%- set compared_values = [] %}
{%- for column in columns %}
    {%- do compared_values.append(
        'number__' ~ column.name if column.kind == 'numeric' else column.name
    ) %}
{%- endfor %}

{%- if ids_may_repeat %}

{#- Duplicates are judged among rows whose values are all usable: the same id with
    different values is a conflict (every copy is quarantined: which one is right is
    unknowable); the same id with the same values is one customer loaded twice. The
    repeated ids are found first by counting alone, then only their rows are compared,
    by a 64-bit hash of the values as given (a collision would need two different rows
    of one id to hash alike). -#}
repeated_ids as (
    select customer_id
    from typed
    where value_problems is null
    group by customer_id
    having count(*) > 1
),

repeated_customer_ids as (
    select
        customer_id,
        count(*) as copies_of_customer_id,
        min(input_row_number) as first_input_row_number,
        min(values_hash) != max(values_hash) as has_conflicting_values
    from (
        select
            customer_id,
            input_row_number,
            {{ values_hash(compared_values) }} as values_hash
        from typed
        where value_problems is null
            and customer_id in (select customer_id from repeated_ids)
    ) as repeated_rows
    group by customer_id
),

verdicts as (
    select
        typed.*,
        coalesce(
            typed.value_problems,
            case
                when repeated_customer_ids.has_conflicting_values
                    then 'conflicting duplicate: customer id '
                        || {{ as_text('typed.customer_id') }}
                        || ' appears '
                        || cast(repeated_customer_ids.copies_of_customer_id
                            as {{ dbt.type_string() }})
                        || ' times with different values'
            end
        ) as rejection_reason,
        coalesce(
            typed.input_row_number != repeated_customer_ids.first_input_row_number,
            false
        ) as is_later_copy
    from typed
    left join repeated_customer_ids
        on typed.customer_id = repeated_customer_ids.customer_id
        and typed.value_problems is null
),
{%- else %}

{#- No two input rows can carry the same id (customer_ids_may_repeat): nothing to
    compare, no copies. #}
verdicts as (
    select
        typed.*,
        typed.value_problems as rejection_reason,
        false as is_later_copy
    from typed
),
{%- endif %}

{#- The raw values are kept for rejected rows only, as one JSON object of the input's
    own headers: customer_quarantine shows them, and usable rows carry nothing. -#}
final as (
    select
        input_row_number,
        customer_id,
        rejection_reason,
        case
            when rejection_reason is not null then {{ raw_values_json(customer_id, columns) }}
        end as raw_values,
        {%- for column in columns %}
        {{ column.name }},
        {%- endfor %}
        rejection_reason is null and has_rounded_value as has_rounded_value,
        (
            rejection_reason is null
            and has_missing_feature
            {%- if rfm_features %}
            and rfm__has_purchase
            {%- endif %}
        ) as has_imputed_value,
        rejection_reason is not null as is_quarantined,
        rejection_reason is null and is_later_copy as is_exact_duplicate,
        {%- if rfm_features %}
        rejection_reason is null and not rfm__has_purchase
        {%- else %}
        false
        {%- endif %} as is_without_purchase
    from verdicts
)

select * from final
