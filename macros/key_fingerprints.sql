{#- Quick key checks for the generic tests: when they pass, a test skips its exact
    comparison; when they cannot tell, it compares exactly. -#}

{#- True when two queries' key_value columns hold the same keys, repeats included, all
    non-null, judged by fingerprint (hash_sum): one streaming scan of each side instead
    of a join. False when they differ, when either side is empty or has a null key, and
    on engines without hash_sum: the caller then compares exactly. Runs the comparison
    (call it only at execution time). -#}
{% macro key_fingerprints_match(here_keys_sql, there_keys_sql) -%}
    {%- if hash_sum('key_value') is none -%}
        {{ return(false) }}
    {%- endif -%}
    {%- set sides = {'here': here_keys_sql, 'there': there_keys_sql} -%}
    {%- set comparison -%}
        with
        {% for side, keys_sql in sides.items() %}
        {{ side }} as (
            select
                count(*) as row_count,
                count(key_value) as key_count,
                {{ hash_sum('key_value') }} as key_hash_sum
            from ({{ keys_sql }}) as {{ side }}_keys
        ){{ ',' if not loop.last }}
        {% endfor %}
        select
            case
                when here.row_count > 0
                    and here.key_count = here.row_count
                    and there.key_count = there.row_count
                    and here.row_count = there.row_count
                    and here.key_hash_sum = there.key_hash_sum
                    then 1
                else 0
            end as keys_match
        from here
        cross join there
    {%- endset -%}
    {{ return(run_query(comparison).columns[0].values()[0] == 1) }}
{%- endmacro %}


{#- True when `column` of `relation` is a whole-number key set on every row and never
    repeated, judged without grouping: DuckDB counts its distinct values in a bitmap
    (bitstring_agg) when they span at most 2^27 values, 0.1 s at ten million rows where
    grouping them takes 0.6-1.0 s. False otherwise, and for tables under 10,000 rows
    (there the grouping is as quick as the two queries): the caller then checks by
    grouping. Runs queries (call it only at execution time). -#}
{% macro integer_key_is_unique(relation, column) -%}
    {{ return(adapter.dispatch('integer_key_is_unique', 'customer_segmentation')(
        relation, column
    )) }}
{%- endmacro %}

{% macro default__integer_key_is_unique(relation, column) -%}
    {{ return(false) }}
{%- endmacro %}

{% macro duckdb__integer_key_is_unique(relation, column) -%}
    {%- set extent = run_query(
        'select count(*), count(' ~ column ~ '), min(' ~ column ~ '), max(' ~ column
        ~ '), typeof(min(' ~ column ~ ')) from ' ~ relation
    ).rows[0] -%}
    {%- set row_count, key_count, lowest, highest, key_type = extent -%}
    {%- set whole_number_types = [
        'TINYINT', 'SMALLINT', 'INTEGER', 'BIGINT',
        'UTINYINT', 'USMALLINT', 'UINTEGER', 'UBIGINT'
    ] -%}
    {%- if row_count < 10000 or key_count != row_count
        or key_type not in whole_number_types or highest - lowest >= 2 ** 27 -%}
        {{ return(false) }}
    {%- endif -%}
    {%- set distinct_keys = run_query(
        'select bit_count(bitstring_agg(' ~ column ~ ', ' ~ lowest ~ ', ' ~ highest
        ~ ')) from ' ~ relation
    ).rows[0][0] -%}
    {{ return(distinct_keys == row_count) }}
{%- endmacro %}
