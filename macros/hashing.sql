{#- Fast 64-bit hashes, spelled per engine: to order a sample by, to compare rows by
    value, to fingerprint a column's keys. -#}

{#- A fast, deterministic hash of a value to order a sample by. dbt's portable hash is
    md5 over text, many times slower at scale. -#}
{% macro sample_hash(expression) -%}
    {{ return(adapter.dispatch('sample_hash', 'customer_segmentation')(expression)) }}
{%- endmacro %}

{% macro default__sample_hash(expression) -%}
    {{ dbt.hash(expression) }}
{%- endmacro %}

{% macro duckdb__sample_hash(expression) -%}
    hash({{ expression }})
{%- endmacro %}

{#- Where sample_hash puts a value in its range, as a share from 0 up to 1 (monotonic in
    the hash), or none where the range is not known: dbt's md5 text on other engines. -#}
{% macro sample_hash_share(expression) -%}
    {{ return(adapter.dispatch('sample_hash_share', 'customer_segmentation')(expression)) }}
{%- endmacro %}

{% macro default__sample_hash_share(expression) -%}
    {{ return(none) }}
{%- endmacro %}

{#- DuckDB's hash is an unsigned 64-bit integer. -#}
{% macro duckdb__sample_hash_share(expression) -%}
    hash({{ expression }}) / 18446744073709551616.0
{%- endmacro %}

{#- A hash of several non-null columns taken together, to compare rows by value. -#}
{% macro values_hash(columns) -%}
    {{ return(adapter.dispatch('values_hash', 'customer_segmentation')(columns)) }}
{%- endmacro %}

{#- A missing value is a value too: without the coalesce one null part would make the
    whole text, and so the hash, null. -#}
{% macro default__values_hash(columns) -%}
    {%- set parts = [] -%}
    {%- for column in columns -%}
        {%- do parts.append("coalesce(" ~ as_text(column) ~ ", '<null>')") -%}
    {%- endfor -%}
    {{ dbt.hash(parts | join(" || '|' || ")) }}
{%- endmacro %}

{% macro duckdb__values_hash(columns) -%}
    hash({{ columns | join(', ') }})
{%- endmacro %}

{#- A 64-bit hash of a value, or none on engines without a fast one. -#}
{% macro key_hash(expression) -%}
    {{ return(adapter.dispatch('key_hash', 'customer_segmentation')(expression)) }}
{%- endmacro %}

{% macro default__key_hash(expression) -%}
    {{ return(none) }}
{%- endmacro %}

{% macro duckdb__key_hash(expression) -%}
    {{ return('hash(' ~ expression ~ ')') }}
{%- endmacro %}

{% macro spark__key_hash(expression) -%}
    {{ return('xxhash64(' ~ expression ~ ')') }}
{%- endmacro %}

{#- The sum of a 64-bit hash of every value, exact (no wrap-around): with a row count, a
    fingerprint of a column's values, repeats included, that two different collections
    of values share with a chance of about one in 10^19. One streaming pass, without the
    hash table a join or a distinct builds. None on engines without a fast 64-bit hash:
    callers then do without the fingerprint. -#}
{% macro hash_sum(expression) -%}
    {{ return(adapter.dispatch('hash_sum', 'customer_segmentation')(expression)) }}
{%- endmacro %}

{% macro default__hash_sum(expression) -%}
    {{ return(none) }}
{%- endmacro %}

{% macro duckdb__hash_sum(expression) -%}
    sum(hash({{ expression }}))
{%- endmacro %}

{% macro spark__hash_sum(expression) -%}
    sum(cast(xxhash64({{ expression }}) as decimal(38, 0)))
{%- endmacro %}
