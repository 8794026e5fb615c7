{#- A common table expression read by two consumers: DuckDB materialises it by default,
    which at scale spills past the memory cap; computing it twice from the scan is
    faster. Other engines decide for themselves. -#}
{% macro not_materialized() -%}
    {{ return(adapter.dispatch('not_materialized', 'customer_segmentation')()) }}
{%- endmacro %}

{% macro default__not_materialized() -%}{%- endmacro %}

{% macro duckdb__not_materialized() -%}
    not materialized
{%- endmacro %}
