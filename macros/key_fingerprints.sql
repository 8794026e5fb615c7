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
    repeated, judged without grouping (bitmap_distinct_counts; tables under 10,000 rows
    are left to the grouping, as quick there). False when it cannot tell. Runs queries
    (call it only at execution time). -#}
{% macro integer_key_is_unique(relation, column) -%}
    {%- set counts = bitmap_distinct_counts(relation, column, min_rows=10000) -%}
    {{ return(
        counts is not none
        and counts.value_count == counts.row_count
        and counts.distinct_count == counts.row_count
    ) }}
{%- endmacro %}
