{#- Use custom schema names as written (raw, reference) instead of dbt's default
    <target_schema>_<custom>, so users find the seeds in `raw` as documented. -#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema }}
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
