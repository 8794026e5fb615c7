{#- Aggregates whose spelling differs between engines: quantiles exact and
    approximate, ordered string aggregation, shares. -#}

{#- The 25th, 50th and 75th percentiles of an expression as a list of three. DuckDB
    holds every value of each exact quantile aggregate in memory, so three separate
    percentile_cont calls cost three copies of the column: one list aggregate costs
    one. -#}
{% macro quartile_list(expression) -%}
    {{ return(adapter.dispatch('quartile_list', 'customer_segmentation')(expression)) }}
{%- endmacro %}

{% macro default__quartile_list(expression) -%}
    array(
        percentile_cont(0.25) within group (order by {{ expression }}),
        percentile_cont(0.5) within group (order by {{ expression }}),
        percentile_cont(0.75) within group (order by {{ expression }})
    )
{%- endmacro %}

{% macro duckdb__quartile_list(expression) -%}
    quantile_cont({{ expression }}, [0.25, 0.5, 0.75])
{%- endmacro %}

{#- Values of a group joined into one string in a given order. dbt's listagg ignores
    the order on Spark (with a warning), so Spark sorts (order, value) pairs itself. -#}
{% macro ordered_listagg(measure, delimiter_text, order_by_expression) -%}
    {{ return(adapter.dispatch('ordered_listagg', 'customer_segmentation')(
        measure, delimiter_text, order_by_expression
    )) }}
{%- endmacro %}

{% macro default__ordered_listagg(measure, delimiter_text, order_by_expression) -%}
    {{ dbt.listagg(measure, delimiter_text, "order by " ~ order_by_expression) }}
{%- endmacro %}

{% macro spark__ordered_listagg(measure, delimiter_text, order_by_expression) -%}
    array_join(
        transform(
            array_sort(collect_list(named_struct(
                'sort_key', {{ order_by_expression }}, 'item', {{ measure }}
            ))),
            pair -> pair.item
        ),
        {{ delimiter_text }}
    )
{%- endmacro %}

{#- The share of a group's rows where a condition holds, as a double. On Spark 1.0 is a
    decimal literal and its average a decimal of five places, so it averages doubles. -#}
{% macro share_where(condition) -%}
    {{ return(adapter.dispatch('share_where', 'customer_segmentation')(condition)) }}
{%- endmacro %}

{% macro default__share_where(condition) -%}
    avg(case when {{ condition }} then 1.0 else 0.0 end)
{%- endmacro %}

{% macro spark__share_where(condition) -%}
    avg(case when {{ condition }} then {{ float_literal(1) }} else {{ float_literal(0) }} end)
{%- endmacro %}

{#- The exact median of an expression over a group. -#}
{% macro exact_median(expression) -%}
    {{ return(adapter.dispatch('exact_median', 'customer_segmentation')(expression)) }}
{%- endmacro %}

{% macro default__exact_median(expression) -%}
    percentile_cont(0.5) within group (order by {{ expression }})
{%- endmacro %}

{% macro duckdb__exact_median(expression) -%}
    median({{ expression }})
{%- endmacro %}

{#- The 25th, 50th and 75th percentiles as a list, approximated in bounded memory (a
    t-digest on DuckDB, Spark's percentile_approx): for columns too large to hold. -#}
{% macro approximate_quartile_list(expression) -%}
    {{ return(adapter.dispatch('approximate_quartile_list', 'customer_segmentation')(expression)) }}
{%- endmacro %}

{% macro default__approximate_quartile_list(expression) -%}
    percentile_approx({{ expression }}, array(0.25, 0.5, 0.75))
{%- endmacro %}

{% macro duckdb__approximate_quartile_list(expression) -%}
    approx_quantile({{ expression }}, [0.25, 0.5, 0.75])
{%- endmacro %}

{#- The median, approximated in bounded memory (see approximate_quartile_list). -#}
{% macro approximate_median(expression) -%}
    {{ return(adapter.dispatch('approximate_median', 'customer_segmentation')(expression)) }}
{%- endmacro %}

{% macro default__approximate_median(expression) -%}
    percentile_approx({{ expression }}, 0.5)
{%- endmacro %}

{% macro duckdb__approximate_median(expression) -%}
    approx_quantile({{ expression }}, 0.5)
{%- endmacro %}
