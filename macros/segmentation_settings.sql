{#- Every var that reaches generated SQL is checked first: numbers against ranges here,
    column names and feature options in feature_spec.sql, so text from --vars is never
    spliced into SQL. The Python models check their own vars in
    customer_segmentation/in_dbt/settings.py. -#}

{#- A numeric var, checked to be a number within [minimum, maximum]. -#}
{% macro number_var(name, minimum, maximum, whole=false) -%}
    {%- set value = var(name) -%}
    {%- if value is sameas true or value is sameas false or value is not number -%}
        {{ exceptions.raise_compiler_error(
            "var " ~ name ~ " must be a number, got '" ~ value ~ "'"
        ) }}
    {%- endif -%}
    {%- if whole and value != (value | int) -%}
        {{ exceptions.raise_compiler_error(
            "var " ~ name ~ " must be a whole number, got " ~ value
        ) }}
    {%- endif -%}
    {%- if value < minimum or value > maximum -%}
        {{ exceptions.raise_compiler_error(
            "var " ~ name ~ " must be between " ~ minimum ~ " and " ~ maximum
            ~ ", got " ~ value
        ) }}
    {%- endif -%}
    {{ return(value) }}
{%- endmacro %}
