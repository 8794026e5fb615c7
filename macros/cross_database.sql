{#- Small SQL pieces whose spelling differs between engines. -#}

{#- True when a double is neither NaN nor infinite (text such as 'nan' and 'inf' casts
    to such doubles and must be quarantined, not clustered). -#}
{% macro is_finite_number(expression) -%}
    {{ return(adapter.dispatch('is_finite_number', 'customer_segmentation')(expression)) }}
{%- endmacro %}

{% macro default__is_finite_number(expression) -%}
    isfinite({{ expression }})
{%- endmacro %}

{% macro spark__is_finite_number(expression) -%}
    (not isnan({{ expression }}) and abs({{ expression }}) != double('infinity'))
{%- endmacro %}

{% macro double_type() -%}
    {{ return(api.Column.translate_type('double')) }}
{%- endmacro %}

{#- Cast text to a double, giving null (not an error) where it does not parse.
    dbt's own safe_cast is a plain cast on DuckDB, which fails the whole build on one
    bad cell. -#}
{% macro try_cast_double(expression) -%}
    {{ return(adapter.dispatch('try_cast_double', 'customer_segmentation')(expression)) }}
{%- endmacro %}

{% macro default__try_cast_double(expression) -%}
    try_cast({{ expression }} as {{ double_type() }})
{%- endmacro %}

{#- A fast, deterministic hash of a value to order a sample by. dbt's portable hash is
    md5 over text, which costs seconds at ten million rows on DuckDB. -#}
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

{#- The 25th, 50th and 75th percentiles of an expression as a list of three. DuckDB
    holds every value of each exact quantile aggregate in memory, so three separate
    percentile_cont calls cost three copies of the column: one list aggregate costs
    one. -#}
{% macro quartile_list(expression) -%}
    {{ return(adapter.dispatch('quartile_list', 'customer_segmentation')(expression)) }}
{%- endmacro %}

{% macro default__quartile_list(expression) -%}
    array(
        percentile_cont(0.25) within group (order by {{ expression }}),
        percentile_cont(0.5) within group (order by {{ expression }}),
        percentile_cont(0.75) within group (order by {{ expression }})
    )
{%- endmacro %}

{% macro duckdb__quartile_list(expression) -%}
    quantile_cont({{ expression }}, [0.25, 0.5, 0.75])
{%- endmacro %}

{#- Element `position` (1-based) of a list. -#}
{% macro list_item(list_expression, position) -%}
    {{ return(adapter.dispatch('list_item', 'customer_segmentation')(list_expression, position)) }}
{%- endmacro %}

{% macro default__list_item(list_expression, position) -%}
    element_at({{ list_expression }}, {{ position }})
{%- endmacro %}

{% macro duckdb__list_item(list_expression, position) -%}
    {{ list_expression }}[{{ position }}]
{%- endmacro %}

{#- An expression as text (a no-op on text columns). -#}
{% macro as_text(expression) -%}
    cast({{ expression }} as {{ dbt.type_string() }})
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

{#- The position of each row in the input, in the order it is read. DuckDB keeps the
    insertion order of a table or file scan, and numbers a single Parquet file's rows
    itself while scanning it in parallel (row_number() over () serialises the scan: 3 s
    of staging's 7 at ten million rows). Spark numbers rows only in a declared order, so
    it uses the order its scan produces them in (file and row order for a single-file
    table such as a seed). -#}
{% macro input_row_number(input_relation) -%}
    {{ return(adapter.dispatch('input_row_number', 'customer_segmentation')(input_relation)) }}
{%- endmacro %}

{% macro default__input_row_number(input_relation) -%}
    {%- if is_numbered_parquet_reader(input_relation) -%}
        file_row_number + 1
    {%- else -%}
        row_number() over ()
    {%- endif -%}
{%- endmacro %}

{#- Spark's row_number is a 4-byte int; DuckDB's (and the contract's) a bigint. -#}
{% macro spark__input_row_number(input_relation) -%}
    cast(row_number() over (order by monotonically_increasing_id()) as {{ dbt.type_bigint() }})
{%- endmacro %}

{#- A common table expression read by two consumers: DuckDB materialises it by default,
    which at ten million rows spills past the memory cap; computing it twice from the
    scan is faster (staging on Parquet: 6.5 s -> 3.9 s). Other engines decide for
    themselves. -#}
{% macro not_materialized() -%}
    {{ return(adapter.dispatch('not_materialized', 'customer_segmentation')()) }}
{%- endmacro %}

{% macro default__not_materialized() -%}{%- endmacro %}

{% macro duckdb__not_materialized() -%}
    not materialized
{%- endmacro %}

{#- Values of a group joined into one string in a given order. dbt's listagg ignores
    the order on Spark (with a warning), so Spark sorts (order, value) pairs itself. -#}
{% macro ordered_listagg(measure, delimiter_text, order_by_expression) -%}
    {{ return(adapter.dispatch('ordered_listagg', 'customer_segmentation')(
        measure, delimiter_text, order_by_expression
    )) }}
{%- endmacro %}

{% macro default__ordered_listagg(measure, delimiter_text, order_by_expression) -%}
    {{ dbt.listagg(measure, delimiter_text, "order by " ~ order_by_expression) }}
{%- endmacro %}

{% macro spark__ordered_listagg(measure, delimiter_text, order_by_expression) -%}
    array_join(
        transform(
            array_sort(collect_list(named_struct(
                'sort_key', {{ order_by_expression }}, 'item', {{ measure }}
            ))),
            pair -> pair.item
        ),
        {{ delimiter_text }}
    )
{%- endmacro %}

{#- The share of a group's rows where a condition holds, as a double. On Spark 1.0 is a
    decimal literal and its average a decimal of five places, so it averages doubles. -#}
{% macro share_where(condition) -%}
    {{ return(adapter.dispatch('share_where', 'customer_segmentation')(condition)) }}
{%- endmacro %}

{% macro default__share_where(condition) -%}
    avg(case when {{ condition }} then 1.0 else 0.0 end)
{%- endmacro %}

{% macro spark__share_where(condition) -%}
    avg(case when {{ condition }} then {{ float_literal(1) }} else {{ float_literal(0) }} end)
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

{#- Counts of a whole-number column in `relation` (a table, or a query in parentheses
    with an alias): {'row_count', 'value_count' (non-null), 'distinct_count'}. DuckDB
    counts the distinct values in a bitmap (bitstring_agg) when they span at most 2^27
    values: at ten million rows 0.06-0.1 s where grouping or count(distinct) takes
    0.45-1.0 s. None where it cannot (another engine, another type, a wider span, or
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

{#- The exact median of an expression over a group. -#}
{% macro exact_median(expression) -%}
    {{ return(adapter.dispatch('exact_median', 'customer_segmentation')(expression)) }}
{%- endmacro %}

{% macro default__exact_median(expression) -%}
    percentile_cont(0.5) within group (order by {{ expression }})
{%- endmacro %}

{% macro duckdb__exact_median(expression) -%}
    median({{ expression }})
{%- endmacro %}

{#- A number as text people read in a sentence: whole above 100 (72, 71851), one
    decimal from 1 (3.4), three below (0.052). -#}
{% macro readable_figure(expression) -%}
    case
        when abs({{ expression }}) >= 100
            then cast(cast(round({{ expression }}) as {{ dbt.type_bigint() }}) as {{ dbt.type_string() }})
        when abs({{ expression }}) >= 1
            then cast(round({{ expression }}, 1) as {{ dbt.type_string() }})
        else cast(round({{ expression }}, 3) as {{ dbt.type_string() }})
    end
{%- endmacro %}

{#- The 25th, 50th and 75th percentiles as a list, approximated in bounded memory (a
    t-digest on DuckDB, Spark's percentile_approx): for columns too large to hold. -#}
{% macro approximate_quartile_list(expression) -%}
    {{ return(adapter.dispatch('approximate_quartile_list', 'customer_segmentation')(expression)) }}
{%- endmacro %}

{% macro default__approximate_quartile_list(expression) -%}
    percentile_approx({{ expression }}, array(0.25, 0.5, 0.75))
{%- endmacro %}

{% macro duckdb__approximate_quartile_list(expression) -%}
    approx_quantile({{ expression }}, [0.25, 0.5, 0.75])
{%- endmacro %}

{#- The median, approximated in bounded memory (see approximate_quartile_list). -#}
{% macro approximate_median(expression) -%}
    {{ return(adapter.dispatch('approximate_median', 'customer_segmentation')(expression)) }}
{%- endmacro %}

{% macro default__approximate_median(expression) -%}
    percentile_approx({{ expression }}, 0.5)
{%- endmacro %}

{% macro duckdb__approximate_median(expression) -%}
    approx_quantile({{ expression }}, 0.5)
{%- endmacro %}

{#- Whole-number division, rounding down (both operands whole and not negative). -#}
{% macro integer_division(numerator, denominator) -%}
    {{ return(adapter.dispatch('integer_division', 'customer_segmentation')(numerator, denominator)) }}
{%- endmacro %}

{% macro default__integer_division(numerator, denominator) -%}
    cast(floor(({{ numerator }}) / ({{ denominator }})) as {{ dbt.type_bigint() }})
{%- endmacro %}

{% macro duckdb__integer_division(numerator, denominator) -%}
    (({{ numerator }}) // ({{ denominator }}))
{%- endmacro %}

{% macro spark__integer_division(numerator, denominator) -%}
    (({{ numerator }}) div ({{ denominator }}))
{%- endmacro %}

{#- The scores 1 to 5 as a one-column relation (score). -#}
{% macro score_range() -%}
    (
        select 1 as score union all select 2 union all select 3
        union all select 4 union all select 5
    )
{%- endmacro %}
