{#- The persisted model: every fit is appended to segment_model_registry as a model
    version; a build with `refit: false` fits nothing and scores customers with the
    latest version (see README, "Segment lifecycle"). -#}

{% macro refit_enabled() -%}
    {%- set value = var('refit') -%}
    {%- if value is not sameas true and value is not sameas false -%}
        {{ exceptions.raise_compiler_error(
            "var refit must be true or false, got '" ~ value ~ "'"
        ) }}
    {%- endif -%}
    {{ return(value) }}
{%- endmacro %}


{#- Fails with a message a user can act on when scoring is asked for before any model
    has been persisted. -#}
{% macro require_persisted_model(relation) -%}
    {%- if execute and load_relation(relation) is none -%}
        {{ exceptions.raise_compiler_error(
            "refit: false scores customers with the latest persisted model, but "
            ~ relation ~ " does not exist yet: run one build with refit: true (the "
            ~ "default) first."
        ) }}
    {%- endif -%}
{%- endmacro %}


{#- A timestamp literal for the start of this dbt invocation: the same on every model
    of a build, so rows written by one build can be matched up. -#}
{% macro build_started_at() -%}
    cast('{{ run_started_at.strftime("%Y-%m-%d %H:%M:%S.%f") }}' as {{ dbt.type_timestamp() }})
{%- endmacro %}
