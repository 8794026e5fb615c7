{#- Bands are defined once, in the customer_bands seed; every model that bands a value
    (persona rules, customer attributes, distributions) joins through this condition.
    A null bound is open. -#}
{% macro in_band(value, bands) -%}
    ({{ bands }}.lower_bound is null or {{ value }} >= {{ bands }}.lower_bound)
    and ({{ bands }}.upper_bound is null or {{ value }} < {{ bands }}.upper_bound)
{%- endmacro %}
