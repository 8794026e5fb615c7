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


{#- A file read with DuckDB's readers: Parquet by extension, CSV (any delimiter DuckDB's
    sniffer finds, tabs included) with every column as text, like the seed. -#}
{% macro customers_file_input(path, var_name='customers_file') -%}
    {%- if path is not string -%}
        {{ exceptions.raise_compiler_error(
            var_name ~ " must be a file path, got '" ~ path ~ "'"
        ) }}
    {%- endif -%}
    {%- if target.type != 'duckdb' -%}
        {{ exceptions.raise_compiler_error(
            var_name ~ " is read with DuckDB's file readers and works on DuckDB only; "
            ~ "on " ~ target.type ~ ", load the file as a table and name it in "
            ~ var_name.replace('_file', '_relation')
        ) }}
    {%- endif -%}
    {%- set literal = sql_string_literal(path) -%}
    {%- set lowered = path | lower -%}
    {%- set numbered_reader = none -%}
    {%- if lowered.endswith('.parquet') -%}
        {%- set reader = 'read_parquet(' ~ literal ~ ')' -%}
        {%- set numbered_reader = numbered_parquet_reader(literal) -%}
    {%- elif lowered.endswith('.csv') or lowered.endswith('.csv.gz')
        or lowered.endswith('.tsv') or lowered.endswith('.txt') -%}
        {#- Every column as text: staging casts and quarantines. -#}
        {%- set reader = 'read_csv(' ~ literal ~ ', header = true, all_varchar = true)' -%}
    {%- else -%}
        {{ exceptions.raise_compiler_error(
            var_name ~ " must end in .csv, .csv.gz, .tsv, .txt or .parquet, got '"
            ~ path ~ "'"
        ) }}
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
