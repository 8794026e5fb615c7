{#- Bands are defined once, in the customer_bands seed; every model that bands a value
    (persona rules, customer attributes, distributions) joins through this condition.
    A null bound is open. -#}
{% macro in_band(value, bands) -%}
    ({{ bands }}.lower_bound is null or {{ value }} >= {{ bands }}.lower_bound)
    and ({{ bands }}.upper_bound is null or {{ value }} < {{ bands }}.upper_bound)
{%- endmacro %}


{#- The band code of a value as a CASE expression built from the customer_bands seed
    when the model runs: the same definitions as in_band, without a range join per
    customer (which costs seconds at ten million rows). -#}
{% macro band_code_case(dimension, value) -%}
    {%- set bands_relation = ref('customer_bands') -%}
    {%- if not execute or load_relation(bands_relation) is none -%}
        {{ return('cast(null as ' ~ dbt.type_string() ~ ')') }}
    {%- endif -%}
    {%- set bands = run_query(
        'select band_code, lower_bound, upper_bound from ' ~ bands_relation
        ~ ' where band_dimension = ' ~ sql_string_literal(dimension)
        ~ ' order by band_order'
    ).rows -%}
    case
    {%- for band in bands %}
        {%- set conditions = [] %}
        {%- if band[1] is not none %}
            {%- do conditions.append(value ~ ' >= ' ~ float_literal(band[1])) %}
        {%- endif %}
        {%- if band[2] is not none %}
            {%- do conditions.append(value ~ ' < ' ~ float_literal(band[2])) %}
        {%- endif %}
        when {{ conditions | join(' and ') if conditions else value ~ ' is not null' }}
            then {{ sql_string_literal(band[0]) }}
    {%- endfor %}
    end
{%- endmacro %}
