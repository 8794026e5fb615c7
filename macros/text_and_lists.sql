{#- Casting to text and reading a list's items, spelled per engine. -#}

{#- Element `position` (1-based) of a list. -#}
{% macro list_item(list_expression, position) -%}
    {{ return(adapter.dispatch('list_item', 'customer_segmentation')(list_expression, position)) }}
{%- endmacro %}

{% macro default__list_item(list_expression, position) -%}
    element_at({{ list_expression }}, {{ position }})
{%- endmacro %}

{% macro duckdb__list_item(list_expression, position) -%}
    {{ list_expression }}[{{ position }}]
{%- endmacro %}

{#- An expression as text (a no-op on text columns). -#}
{% macro as_text(expression) -%}
    cast({{ expression }} as {{ dbt.type_string() }})
{%- endmacro %}
