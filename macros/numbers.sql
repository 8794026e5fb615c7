{#- Numbers: parsing text safely, finiteness, whole-number division, and figures as
    people read them; spelled per engine where engines differ. -#}

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

{#- A number as text people read in a sentence: whole above 100 (72, 71851), one
    decimal from 1 (3.4), three below (0.052). -#}
{% macro readable_figure(expression) -%}
    case
        when abs({{ expression }}) >= 100
            then cast(cast(round({{ expression }}) as {{ dbt.type_bigint() }}) as {{ dbt.type_string() }})
        when abs({{ expression }}) >= 1
            then cast(round({{ expression }}, 1) as {{ dbt.type_string() }})
        else cast(round({{ expression }}, 3) as {{ dbt.type_string() }})
    end
{%- endmacro %}

{#- Whole-number division, rounding down (both operands whole and not negative). -#}
{% macro integer_division(numerator, denominator) -%}
    {{ return(adapter.dispatch('integer_division', 'customer_segmentation')(numerator, denominator)) }}
{%- endmacro %}

{% macro default__integer_division(numerator, denominator) -%}
    cast(floor(({{ numerator }}) / ({{ denominator }})) as {{ dbt.type_bigint() }})
{%- endmacro %}

{% macro duckdb__integer_division(numerator, denominator) -%}
    (({{ numerator }}) // ({{ denominator }}))
{%- endmacro %}

{% macro spark__integer_division(numerator, denominator) -%}
    (({{ numerator }}) div ({{ denominator }}))
{%- endmacro %}

{#- The scores 1 to 5 as a one-column relation (score). -#}
{% macro score_range() -%}
    (
        select 1 as score union all select 2 union all select 3
        union all select 4 union all select 5
    )
{%- endmacro %}

