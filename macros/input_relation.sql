{#- Where the customer rows come from, in this order: the customers of a transaction
    log when one is given (transactions_file or transactions_relation:
    stg_transactions__segmentation_input, their RFM values, joined onto the customer
    table when there is one too), else the customer table (customer_table_input), else
    the bundled `raw.mall_customers` seed through its source. -#}
{% macro customers_input() -%}
    {%- if has_transactions() -%}
        {{ return(ref('stg_transactions__segmentation_input')) }}
    {%- endif -%}
    {%- set customer_table = customer_table_input() -%}
    {%- if customer_table is not none -%}
        {{ return(customer_table) }}
    {%- endif -%}
    {{ return(source('mall', 'mall_customers')) }}
{%- endmacro %}


{#- The customer table the user names: the `customers_relation` var (a table or view
    already in the warehouse) or the `customers_file` var (a CSV or Parquet file read
    by DuckDB); none when neither is set. -#}
{% macro customer_table_input() -%}
    {%- set relation_name = var('customers_relation', none) -%}
    {%- set path = var('customers_file', none) -%}
    {%- if is_set(relation_name) and is_set(path) -%}
        {{ exceptions.raise_compiler_error(
            "customers_relation and customers_file are both set; choose one input"
        ) }}
    {%- elif is_set(relation_name) -%}
        {{ return(customers_relation_input(relation_name)) }}
    {%- elif is_set(path) -%}
        {{ return(customers_file_input(path)) }}
    {%- endif -%}
    {{ return(none) }}
{%- endmacro %}


{#- Whether the user names a customer table (known at parse time: vars are). -#}
{% macro has_customer_table() -%}
    {{ return(is_set(var('customers_relation', none)) or is_set(var('customers_file', none))) }}
{%- endmacro %}


{#- A var holds something: not none, not blank. -#}
{% macro is_set(value) -%}
    {{ return(value is not none and (value | string | trim) != '') }}
{%- endmacro %}


{#- A table or view named `schema.table` (or `table`, in the target schema, or
    `database.schema.table`). Each part is quoted, never spliced; a name that does not
    exist fails with an error naming it. -#}
{% macro customers_relation_input(relation_name, var_name='customers_relation') -%}
    {%- if relation_name is not string -%}
        {{ exceptions.raise_compiler_error(
            var_name ~ " must name a table or view, got '" ~ relation_name ~ "'"
        ) }}
    {%- endif -%}
    {%- set parts = relation_name.split('.') | map('trim') | list -%}
    {%- if parts | length > 3 or '' in parts -%}
        {{ exceptions.raise_compiler_error(
            var_name ~ " must be table, schema.table or database.schema.table, "
            ~ "got '" ~ relation_name ~ "'"
        ) }}
    {%- endif -%}
    {%- set identifier = parts[-1] -%}
    {%- set schema = parts[-2] if parts | length >= 2 else target.schema -%}
    {%- set database = parts[-3] if parts | length == 3 else target.database -%}
    {%- if not execute -%}
        {{ return(api.Relation.create(database=database, schema=schema, identifier=identifier)) }}
    {%- endif -%}
    {%- set found = adapter.get_relation(database=database, schema=schema, identifier=identifier) -%}
    {%- if found is none -%}
        {{ exceptions.raise_compiler_error(
            var_name ~ " '" ~ relation_name ~ "' does not exist (looked for "
            ~ database ~ "." ~ schema ~ "." ~ identifier ~ ")"
        ) }}
    {%- endif -%}
    {{ return(found) }}
{%- endmacro %}


{#- A file named by a var, read by the engine's own file readers: Parquet by
    extension, else CSV with every column as text, like the seed (staging casts and
    quarantines). DuckDB and Spark read files; other engines fail naming the var. -#}
{% macro customers_file_input(path, var_name='customers_file') -%}
    {%- if path is not string -%}
        {{ exceptions.raise_compiler_error(
            var_name ~ " must be a file path, got '" ~ path ~ "'"
        ) }}
    {%- endif -%}
    {%- set lowered = path | lower -%}
    {%- if lowered.endswith('.parquet') -%}
        {%- set file_format = 'parquet' -%}
    {%- elif lowered.endswith('.csv') or lowered.endswith('.csv.gz')
        or lowered.endswith('.tsv') or lowered.endswith('.txt') -%}
        {%- set file_format = 'csv' -%}
    {%- else -%}
        {{ exceptions.raise_compiler_error(
            var_name ~ " must end in .csv, .csv.gz, .tsv, .txt or .parquet, got '"
            ~ path ~ "'"
        ) }}
    {%- endif -%}
    {{ return(adapter.dispatch('file_input', 'customer_segmentation')(
        path, file_format, var_name
    )) }}
{%- endmacro %}

{% macro default__file_input(path, file_format, var_name) -%}
    {{ exceptions.raise_compiler_error(
        var_name ~ " is read with DuckDB's or Spark's file readers; on " ~ target.type
        ~ ", load the file as a table and name it in " ~ var_name.replace('_file', '_relation')
    ) }}
{%- endmacro %}

{#- DuckDB's readers: CSV with any delimiter its sniffer finds, tabs included. A single
    Parquet file also gives its row numbers. -#}
{% macro duckdb__file_input(path, file_format, var_name) -%}
    {%- set literal = sql_string_literal(path) -%}
    {%- set numbered_reader = none -%}
    {%- if file_format == 'parquet' -%}
        {%- set reader = 'read_parquet(' ~ literal ~ ')' -%}
        {%- set numbered_reader = numbered_parquet_reader(literal) -%}
    {%- else -%}
        {%- set reader = 'read_csv(' ~ literal ~ ', header = true, all_varchar = true)' -%}
    {%- endif -%}
    {%- if execute -%}
        {%- set found = run_query('select count(*) from glob(' ~ literal ~ ')') -%}
        {%- set file_count = found.columns[0].values()[0] -%}
        {%- if file_count == 0 -%}
            {{ exceptions.raise_compiler_error(
                var_name ~ " '" ~ path ~ "' does not exist (relative paths resolve "
                ~ "against the directory dbt runs in)"
            ) }}
        {%- endif -%}
        {#- DuckDB numbers the rows of each file from 0, so only a single file can use
            its numbers as input row numbers, and only if no column has that name. -#}
        {%- if numbered_reader is not none and file_count == 1 -%}
            {%- set clashing = run_query(
                'select count(*) from (describe select * from ' ~ reader ~ ')'
                ~ " where column_name = 'file_row_number'"
            ) -%}
            {%- if clashing.columns[0].values()[0] == 0 -%}
                {{ return(numbered_reader) }}
            {%- endif -%}
        {%- endif -%}
    {%- endif -%}
    {{ return(reader) }}
{%- endmacro %}

{#- Spark's readers. Parquet is read in place; a CSV file through a temporary view
    named after the var (Spark takes CSV options only there), which lives as long as
    the Spark session: the whole dbt invocation with the session method. Spark does
    not sniff a delimiter, so the header line picks it: tab, semicolon or pipe when
    the header holds more of it than of commas. Quotes are doubled inside quoted
    values, as DuckDB and spreadsheets write them; quoted values may span lines. A
    path that does not exist fails with Spark's "Path does not exist" naming it. -#}
{% macro spark__file_input(path, file_format, var_name) -%}
    {%- set quoted_path = '`' ~ path.replace('`', '``') ~ '`' -%}
    {%- if file_format == 'parquet' -%}
        {{ return('parquet.' ~ quoted_path) }}
    {%- endif -%}
    {%- set view_name = var_name ~ '_input' -%}
    {%- if execute -%}
        {%- set header = run_query('select value from text.' ~ quoted_path ~ ' limit 1')
            .columns[0].values() -%}
        {%- set header = header[0] if header | length > 0 else '' -%}
        {#- A namespace: a plain set inside the loop would not outlive it. -#}
        {%- set chosen = namespace(delimiter=',') -%}
        {%- for candidate in ['\t', ';', '|'] -%}
            {%- if header.count(candidate) > header.count(chosen.delimiter) -%}
                {%- set chosen.delimiter = candidate -%}
            {%- endif -%}
        {%- endfor -%}
        {%- call statement('file_input_view') -%}
            create or replace temporary view {{ view_name }}
            using csv
            options (
                path {{ sql_string_literal(path) }},
                header 'true',
                sep {{ sql_string_literal(chosen.delimiter) }},
                quote '"',
                escape '"',
                multiLine 'true',
                inferSchema 'false'
            )
        {%- endcall -%}
    {%- endif -%}
    {{ return(view_name) }}
{%- endmacro %}


{#- A Parquet reader that adds DuckDB's own row numbers (the column file_row_number,
    counted from 0), and the test for one: both spell the option the same way. -#}
{% macro numbered_parquet_reader(literal) -%}
    {{ return('read_parquet(' ~ literal ~ file_row_number_option() ~ ')') }}
{%- endmacro %}

{% macro is_numbered_parquet_reader(input_relation) -%}
    {{ return(input_relation is string
        and input_relation.endswith(file_row_number_option() ~ ')')) }}
{%- endmacro %}

{% macro file_row_number_option() -%}
    {{ return(', file_row_number = true') }}
{%- endmacro %}


{#- The position of each row in the input, in the order it is read. DuckDB keeps the
    insertion order of a table or file scan, and numbers a single Parquet file's rows
    itself while scanning it in parallel (row_number() over () would serialise the
    scan). Spark numbers rows only in a declared order, so it uses the order its scan
    produces them in (file and row order for a single-file table such as a seed). -#}
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
