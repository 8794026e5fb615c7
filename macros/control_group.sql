{#- Control groups: a customer is held back from a campaign when a hash of the customer
    id and the campaign code falls in the first control_group_share of
    control_group_buckets() buckets. The hash depends on nothing else, so a customer
    stays in or out of a campaign's control group on every build, whoever else is in
    the data; different campaigns hold back different customers. -#}

{% macro control_group_buckets() -%}
    {{ return(10000) }}
{%- endmacro %}

{#- The bucket, 0 to control_group_buckets() - 1, of a customer in a campaign. -#}
{% macro control_group_bucket(customer_id, campaign_code) -%}
    {{ return(adapter.dispatch('control_group_bucket', 'customer_segmentation')(
        customer_id, campaign_code
    )) }}
{%- endmacro %}

{% macro default__control_group_bucket(customer_id, campaign_code) -%}
    {{ exceptions.raise_compiler_error(
        "control groups need a 64-bit hash function: none is written for "
        ~ adapter.type() ~ " (see macros/control_group.sql)"
    ) }}
{%- endmacro %}

{% macro duckdb__control_group_bucket(customer_id, campaign_code) -%}
    (hash({{ customer_id }}, {{ campaign_code }}) % {{ control_group_buckets() }})
{%- endmacro %}

{#- Spark's hash is a signed 32-bit murmur3: pmod keeps the bucket non-negative. -#}
{% macro spark__control_group_bucket(customer_id, campaign_code) -%}
    pmod(hash({{ customer_id }}, {{ campaign_code }}), {{ control_group_buckets() }})
{%- endmacro %}
