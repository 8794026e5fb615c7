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
        ){% if not loop.last %},{% endif %}
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


{#- True when `column` of `relation` is a key set on every row and never repeated,
    judged without grouping: a whole-number key counted in a bitmap
    (bitmap_distinct_counts), any other by the distinct count of its 64-bit hashes
    (hashed_distinct_counts: distinct hashes mean distinct keys). Tables under 10,000
    rows are left to the grouping, as quick there. False when it cannot tell. Runs
    queries (call it only at execution time). -#}
{% macro key_is_unique_by_counting(relation, column) -%}
    {%- set counts = bitmap_distinct_counts(relation, column, min_rows=10000) -%}
    {%- if counts is none -%}
        {%- set counts = hashed_distinct_counts(relation, column, min_rows=10000) -%}
    {%- endif -%}
    {{ return(
        counts is not none
        and counts.value_count == counts.row_count
        and counts.distinct_count == counts.row_count
    ) }}
{%- endmacro %}


{#- Counts of `column` in `relation` (a table, or a query in parentheses with an alias):
    {'row_count', 'value_count' (non-null), 'distinct_count'}, where distinct_count
    counts the distinct 64-bit hashes of the values: it equals the distinct values'
    count unless two of them hash alike, so a distinct_count equal to value_count
    proves the values distinct. A count of fixed-width hashes costs a fraction of
    grouping long text such as UUIDs. None where there is no fast 64-bit hash, or with
    fewer than `min_rows` rows. Runs a query (call it only at execution time). -#}
{% macro hashed_distinct_counts(relation, column, min_rows=0) -%}
    {%- set hash_expression = key_hash(column) -%}
    {%- if hash_expression is none -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set row = run_query(
        'select count(*), count(' ~ column ~ '), count(distinct ' ~ hash_expression
        ~ ') from ' ~ relation
    ).rows[0] -%}
    {%- if row[0] < min_rows -%}
        {{ return(none) }}
    {%- endif -%}
    {{ return({'row_count': row[0], 'value_count': row[1], 'distinct_count': row[2]}) }}
{%- endmacro %}


{#- Counts of a whole-number column in `relation` (a table, or a query in parentheses
    with an alias): {'row_count', 'value_count' (non-null), 'distinct_count'}. DuckDB
    counts the distinct values in a bitmap (bitstring_agg) when they span at most 2^27
    values, several times faster than grouping or count(distinct). None where it cannot (another engine, another type, a wider span, or
    fewer than `min_rows` rows, where grouping is as quick): callers then group. Runs
    queries (call it only at execution time). -#}
{% macro bitmap_distinct_counts(relation, column, min_rows=0) -%}
    {{ return(adapter.dispatch('bitmap_distinct_counts', 'customer_segmentation')(
        relation, column, min_rows
    )) }}
{%- endmacro %}

{% macro default__bitmap_distinct_counts(relation, column, min_rows) -%}
    {{ return(none) }}
{%- endmacro %}

{% macro duckdb__bitmap_distinct_counts(relation, column, min_rows) -%}
    {%- set extent = run_query(
        'select count(*), count(' ~ column ~ '), min(' ~ column ~ '), max(' ~ column
        ~ '), typeof(min(' ~ column ~ ')) from ' ~ relation
    ).rows[0] -%}
    {%- set row_count, value_count, lowest, highest, value_type = extent -%}
    {%- set whole_number_types = [
        'TINYINT', 'SMALLINT', 'INTEGER', 'BIGINT',
        'UTINYINT', 'USMALLINT', 'UINTEGER', 'UBIGINT'
    ] -%}
    {%- if row_count < min_rows -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set counts = {'row_count': row_count, 'value_count': value_count} -%}
    {%- if value_count == 0 -%}
        {%- do counts.update({'distinct_count': 0}) -%}
        {{ return(counts) }}
    {%- endif -%}
    {%- if value_type not in whole_number_types or highest - lowest >= 2 ** 27 -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set distinct_count = run_query(
        'select bit_count(bitstring_agg(' ~ column ~ ', ' ~ lowest ~ ', ' ~ highest
        ~ ')) from ' ~ relation
    ).rows[0][0] -%}
    {%- do counts.update({'distinct_count': distinct_count}) -%}
    {{ return(counts) }}
{%- endmacro %}
