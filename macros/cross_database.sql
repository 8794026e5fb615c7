{#- Small SQL pieces whose spelling differs between engines. -#}

{#- True when a double is neither NaN nor infinite (text such as 'nan' and 'inf' casts
    to such doubles and must be quarantined, not clustered). -#}
{% macro is_finite_number(expression) -%}
    {{ return(adapter.dispatch('is_finite_number', 'customer_segmentation')(expression)) }}
{%- endmacro %}

{% macro default__is_finite_number(expression) -%}
    isfinite({{ expression }})
{%- endmacro %}

{% macro spark__is_finite_number(expression) -%}
    (not isnan({{ expression }}) and abs({{ expression }}) != double('infinity'))
{%- endmacro %}

{% macro double_type() -%}
    {{ return(api.Column.translate_type('double')) }}
{%- endmacro %}

{#- Cast text to a double, giving null (not an error) where it does not parse.
    dbt's own safe_cast is a plain cast on DuckDB, which fails the whole build on one
    bad cell. -#}
{% macro try_cast_double(expression) -%}
    {{ return(adapter.dispatch('try_cast_double', 'customer_segmentation')(expression)) }}
{%- endmacro %}

{% macro default__try_cast_double(expression) -%}
    try_cast({{ expression }} as {{ double_type() }})
{%- endmacro %}
