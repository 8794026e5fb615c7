{#- How staging reads and checks each configured column's values. -#}

{#- A column as read: numbers the input already types as numbers stay numbers (turning
    millions of them into text and back costs seconds and changes nothing) where
    numbers are wanted; anything else is trimmed text, blank meaning missing. -#}
{% macro raw_input_value(expression, input_kind, wants_numbers) -%}
    {%- if wants_numbers and input_kind in ['integer', 'number'] -%}
        {{ expression }}
    {%- else -%}
        nullif(trim(cast({{ expression }} as {{ dbt.type_string() }})), '')
    {%- endif -%}
{%- endmacro %}


{#- Female, Male or Other from the usual spellings in any case; null otherwise. -#}
{% macro normalised_gender(expression) -%}
    case
        when lower({{ expression }}) in ('female', 'f', 'woman', 'w') then 'Female'
        when lower({{ expression }}) in ('male', 'm', 'man') then 'Male'
        when lower({{ expression }}) in (
            'other', 'non-binary', 'nonbinary', 'non binary', 'diverse', 'x'
        ) then 'Other'
    end
{%- endmacro %}


{#- Why a column's value makes its row unusable, or null; the message names the
    column. Expects raw__<name> and number__<name> (numbers) or text__<name> (text).
    A feature's missing value rejects its row under `missing: quarantine`; a profile
    column never rejects a row, but for the mall's own columns (age, gender, ...),
    which keep their checks. -#}
{% macro column_problem(column) -%}
    {%- set raw = 'raw__' ~ column.name -%}
    {%- set number = 'number__' ~ column.name -%}
    {%- set label = column.label -%}
    {%- set must_be_present = column.missing == 'quarantine' if column.is_feature
        else column.required -%}
    {%- set when_missing = 'when ' ~ raw ~ ' is null then '
        ~ ("'missing " ~ label ~ "'" if must_be_present
            else 'cast(null as ' ~ dbt.type_string() ~ ')') -%}
    {%- if not column.is_feature and not column.required -%}
        cast(null as {{ dbt.type_string() }})
    {%- elif column.kind != 'numeric' -%}
        case
            {{ when_missing }}
            {%- if column.normalise == 'gender' %}
            when text__{{ column.name }} is null
                then 'unrecognised {{ label }}: "' || left({{ raw }}, 40) || '"'
            {%- endif %}
        end
    {%- else -%}
        {%- set shown = as_text(raw) -%}
        case
            {{ when_missing }}
            when {{ number }} is null or not {{ is_finite_number(number) }}
                then '{{ label }} is not a number: "' || left({{ shown }}, 40) || '"'
            {%- if column.min is not none and column.max is not none %}
            when {{ number }} < {{ float_literal(column.min) }}
                or {{ number }} > {{ float_literal(column.max) }}
                then '{{ label }} outside {{ column.range_phrase }}{{ readable_number(column.min) }}-{{ readable_number(column.max) }}: '
                    || {{ shown }}
            {%- elif column.min is not none and column.min == 0 %}
            when {{ number }} < 0 then '{{ label }} is negative: ' || {{ shown }}
            {%- elif column.min is not none %}
            when {{ number }} < {{ float_literal(column.min) }}
                then '{{ label }} below the minimum {{ readable_number(column.min) }}: '
                    || {{ shown }}
            {%- elif column.max is not none %}
            when {{ number }} > {{ float_literal(column.max) }}
                then '{{ label }} above the maximum {{ readable_number(column.max) }}: '
                    || {{ shown }}
            {%- endif %}
            {%- if column.transform == 'log' %}
            when {{ number }} < 0
                then '{{ label }} is negative, and its log transform needs 0 or more: '
                    || {{ shown }}
            {%- endif %}
        end
    {%- endif -%}
{%- endmacro %}


{#- The raw values of a row as one JSON object text keyed by the input's own headers
    (the id first), for the rows staging rejects. -#}
{% macro raw_values_json(customer_id, columns) -%}
    {%- set pairs = [] -%}
    {%- if customer_id.mode == 'column' -%}
        {%- do pairs.append((customer_id.header, as_text('raw_customer_id'))) -%}
    {%- endif -%}
    {%- for column in columns -%}
        {%- do pairs.append((column.header, as_text('raw__' ~ column.name))) -%}
    {%- endfor -%}
    {{ json_object_text(pairs) }}
{%- endmacro %}

{% macro json_object_text(pairs) -%}
    {{ return(adapter.dispatch('json_object_text', 'customer_segmentation')(pairs)) }}
{%- endmacro %}

{% macro default__json_object_text(pairs) -%}
    cast(json_object(
        {%- for key, value in pairs %}
        {{ sql_string_literal(key) }}, {{ value }}{% if not loop.last %},{% endif %}
        {%- endfor %}
    ) as {{ dbt.type_string() }})
{%- endmacro %}

{#- Spark drops null fields from to_json unless told to keep them. -#}
{% macro spark__json_object_text(pairs) -%}
    to_json(
        named_struct(
            {%- for key, value in pairs %}
            {{ sql_string_literal(key) }}, {{ value }}{% if not loop.last %},{% endif %}
            {%- endfor %}
        ),
        map('ignoreNullFields', 'false')
    )
{%- endmacro %}
