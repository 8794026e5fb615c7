{#- Every var that reaches generated SQL goes through one of these macros first: names
    are checked against fixed lists and numbers against ranges, so text from --vars is
    never spliced into SQL. The Python model applies the same rules in
    customer_segmentation/settings.py. -#}

{% macro known_segmentation_features() -%}
    {{ return(['age', 'annual_income', 'spending_score']) }}
{%- endmacro %}


{% macro segmentation_features() -%}
    {%- set requested = var('segmentation_features') -%}
    {%- set known = known_segmentation_features() -%}
    {%- if requested is string -%}
        {%- set requested = requested.split(',') | map('trim') | reject('equalto', '') | list -%}
    {%- endif -%}
    {%- if requested is not iterable or requested is mapping or requested | length == 0 -%}
        {{ exceptions.raise_compiler_error(
            "segmentation_features must be a non-empty list drawn from "
            ~ known | join(', ') ~ "; got " ~ requested
        ) }}
    {%- endif -%}
    {%- for feature in requested -%}
        {%- if feature not in known -%}
            {{ exceptions.raise_compiler_error(
                "segmentation_features has unknown feature '" ~ feature
                ~ "'; known features: " ~ known | join(', ')
            ) }}
        {%- endif -%}
    {%- endfor -%}
    {%- if requested | unique | list | length != requested | length -%}
        {{ exceptions.raise_compiler_error(
            "segmentation_features repeats a feature: " ~ requested | join(', ')
        ) }}
    {%- endif -%}
    {{ return(requested | list) }}
{%- endmacro %}


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
