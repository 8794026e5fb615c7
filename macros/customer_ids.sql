{#- Reading customer ids in staging: how an id is parsed and when it is rejected, and
    whether two input rows can share one at all. -#}

{#- A text id read as a whole number of 0 or more: the bigint, or null when it is not
    one (or does not read exactly in 64 bits). Whole ids are read as integers first: a
    double holds them exactly only up to 2^53, and 18-digit ids exist. -#}
{% macro whole_number_id(text_expression) -%}
    case
        when try_cast({{ text_expression }} as {{ dbt.type_bigint() }}) >= 0
            then try_cast({{ text_expression }} as {{ dbt.type_bigint() }})
        when {{ is_finite_number(try_cast_double(text_expression)) }}
            and {{ try_cast_double(text_expression) }}
                = floor({{ try_cast_double(text_expression) }})
            and {{ try_cast_double(text_expression) }} >= 0
            and {{ try_cast_double(text_expression) }} < 9007199254740992
            then cast({{ try_cast_double(text_expression) }} as {{ dbt.type_bigint() }})
    end
{%- endmacro %}



{#- Why a row's id cannot be used, as checks (row_checks.sql). Whole-number ids:
    missing, not a number, not a whole number of 0 or more (0 is an id like any
    other), or past 2^53 in a form only a double reads (digits lost). Text ids: only
    missing. Row positions: never. -#}
{% macro customer_id_checks(customer_id) -%}
    {%- if customer_id.mode == 'position' -%}
        {{ return([]) }}
    {%- endif -%}
    {%- set checks = [{'when': 'raw_customer_id is null', 'then': "'missing customer id'"}] -%}
    {%- if customer_id.type != 'text' -%}
        {%- set shown = as_text('raw_customer_id') -%}
        {%- do checks.append({
            'when': 'customer_id__number is null or not '
                ~ is_finite_number('customer_id__number'),
            'then': "'customer id is not a number: \"' || left(" ~ shown ~ ", 40) || '\"'",
        }) -%}
        {%- do checks.append({
            'when': 'customer_id__number != floor(customer_id__number)'
                ~ ' or customer_id__number < 0',
            'then': "'customer id is not a whole number of 0 or more: ' || " ~ shown,
        }) -%}
        {%- do checks.append({
            'when': 'customer_id__integer is null and customer_id__number >= 9007199254740992',
            'then': "'customer id is too large to read exactly: ' || left(" ~ shown ~ ", 40)",
        }) -%}
    {%- endif -%}
    {{ return(checks) }}
{%- endmacro %}


{#- Why a row's id cannot be used, or null. -#}
{% macro customer_id_problem(customer_id) -%}
    {{ first_failed_check(customer_id_checks(customer_id)) }}
{%- endmacro %}


{#- False when no two input rows can carry the same customer id, so staging needs no
    duplicate handling; true when they may (or it cannot tell). Row positions never
    repeat. Only the id column is read, parsed as staging parses it. Whole-number ids:
    every id staging accepts keeps its value, any other maps to some number or to
    nothing, so a repeat among usable rows is always seen, and the distinct ids are
    counted in a bitmap (bitmap_distinct_counts). Text ids: their distinct 64-bit
    hashes are counted (hashed_distinct_counts); as many as there are ids means no id
    repeats. Either is far cheaper than staging's grouping. -#}
{% macro customer_ids_may_repeat(input_relation, customer_id) -%}
    {%- if customer_id.mode == 'position' -%}
        {{ return(false) }}
    {%- endif -%}
    {%- if not execute -%}
        {{ return(true) }}
    {%- endif -%}
    {%- set raw = raw_input_value(customer_id.expression, customer_id.input_kind, true) -%}
    {%- if customer_id.type == 'text' -%}
        {%- set counts = hashed_distinct_counts(
            '(select ' ~ raw ~ ' as raw_id from ' ~ input_relation ~ ') as input_ids', 'raw_id'
        ) -%}
        {{ return(counts is none or counts.distinct_count < counts.value_count) }}
    {%- endif -%}
    {%- set ids -%}
        (
            select
                coalesce(
                    try_cast(raw_id as {{ dbt.type_bigint() }}),
                    try_cast({{ try_cast_double('raw_id') }} as {{ dbt.type_bigint() }})
                ) as id_number
            from (select {{ raw }} as raw_id from {{ input_relation }}) as input_ids
        ) as ids
    {%- endset -%}
    {%- set counts = bitmap_distinct_counts(ids, 'id_number') -%}
    {{ return(counts is none or counts.distinct_count < counts.value_count) }}
{%- endmacro %}
