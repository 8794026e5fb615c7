{#- Text and names written into generated SQL: always quoted or escaped, never spliced. -#}

{#- A string literal. Spark reads backslash escapes in literals (and '' as two adjacent
    literals), so it escapes with backslashes; other engines double the quote. -#}
{% macro sql_string_literal(text) -%}
    {{ return(adapter.dispatch('sql_string_literal', 'customer_segmentation')(text)) }}
{%- endmacro %}

{% macro default__sql_string_literal(text) -%}
    {{ return("'" ~ (text | string).replace("'", "''") ~ "'") }}
{%- endmacro %}

{% macro spark__sql_string_literal(text) -%}
    {{ return("'" ~ (text | string).replace('\\', '\\\\').replace("'", "\\'") ~ "'") }}
{%- endmacro %}


{#- A column name as a quoted identifier, whatever characters the header holds. -#}
{% macro quoted_identifier(name) -%}
    {{ return(adapter.dispatch('quoted_identifier', 'customer_segmentation')(name)) }}
{%- endmacro %}

{% macro default__quoted_identifier(name) -%}
    {{ return('"' ~ (name | string).replace('"', '""') ~ '"') }}
{%- endmacro %}

{#- Spark reads double quotes as a string literal; identifiers take backticks. -#}
{% macro spark__quoted_identifier(name) -%}
    {{ return('`' ~ (name | string).replace('`', '``') ~ '`') }}
{%- endmacro %}


{#- A double literal that round-trips exactly; null for a missing value or NaN. -#}
{% macro float_literal(value) -%}
    {%- if value is none or (value | float) != (value | float) -%}
        {{ return('cast(null as ' ~ double_type() ~ ')') }}
    {%- endif -%}
    {{ return('cast(' ~ '%.17g' | format(value | float) ~ ' as ' ~ double_type() ~ ')') }}
{%- endmacro %}


{#- A number as people write it in a message: 15, not 15.0. -#}
{% macro readable_number(value) -%}
    {%- if value is number and value == (value | int) -%}
        {{ return(value | int | string) }}
    {%- endif -%}
    {{ return(value | string) }}
{%- endmacro %}
