{#- Where the customer rows come from: the `raw.mall_customers` seed through its
    declared source, or the file named by the `customers_file` var. -#}

{#- Required input columns and the header spellings accepted for each, compared after
    lower-casing and dropping everything but letters and digits (so "Annual Income (k$)",
    "annual_income" and "AnnualIncome" all match). Public copies of the mall data say
    Gender or Genre. -#}
{% macro required_customer_columns() -%}
    {{ return({
        'customer_id': {
            'header': 'CustomerID',
            'spellings': ['customerid'],
        },
        'gender': {'header': 'Gender', 'spellings': ['gender', 'genre', 'sex']},
        'age': {'header': 'Age', 'spellings': ['age']},
        'annual_income': {
            'header': 'Annual Income (k$)',
            'spellings': ['annualincomek', 'annualincome', 'annualincomekusd'],
        },
        'spending_score': {
            'header': 'Spending Score (1-100)',
            'spellings': ['spendingscore1100', 'spendingscore'],
        },
    }) }}
{%- endmacro %}


{% macro sql_string_literal(text) -%}
    {{ return("'" ~ (text | string).replace("'", "''") ~ "'") }}
{%- endmacro %}


{#- A column name as a quoted identifier, whatever characters the header holds. -#}
{% macro quoted_identifier(name) -%}
    {{ return(adapter.dispatch('quoted_identifier', 'customer_segmentation')(name)) }}
{%- endmacro %}

{% macro default__quoted_identifier(name) -%}
    {{ return('"' ~ (name | string).replace('"', '""') ~ '"') }}
{%- endmacro %}

{#- Spark reads double quotes as a string literal; identifiers take backticks. -#}
{% macro spark__quoted_identifier(name) -%}
    {{ return('`' ~ (name | string).replace('`', '``') ~ '`') }}
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


{#- The relation (or table function call) to select the customer rows from. -#}
{% macro customers_input() -%}
    {%- set path = var('customers_file', none) -%}
    {%- if path is none or (path is string and path | trim == '') -%}
        {{ return(source('mall', 'mall_customers')) }}
    {%- endif -%}
    {%- if path is not string -%}
        {{ exceptions.raise_compiler_error(
            "customers_file must be a file path, got '" ~ path ~ "'"
        ) }}
    {%- endif -%}
    {%- if target.type != 'duckdb' -%}
        {{ exceptions.raise_compiler_error(
            "customers_file is read with DuckDB's file readers and works on DuckDB only; "
            ~ "on " ~ target.type ~ ", load the file as a table and point the mall "
            ~ "source (models/staging/_mall__sources.yml) at it"
        ) }}
    {%- endif -%}
    {%- set literal = sql_string_literal(path) -%}
    {%- set lowered = path | lower -%}
    {%- set numbered_reader = none -%}
    {%- if lowered.endswith('.parquet') -%}
        {%- set reader = 'read_parquet(' ~ literal ~ ')' -%}
        {%- set numbered_reader = numbered_parquet_reader(literal) -%}
    {%- elif lowered.endswith('.csv') or lowered.endswith('.csv.gz') -%}
        {#- Every column as text, like the seed: staging casts and quarantines. -#}
        {%- set reader = 'read_csv(' ~ literal ~ ', header = true, all_varchar = true)' -%}
    {%- else -%}
        {{ exceptions.raise_compiler_error(
            "customers_file must end in .csv, .csv.gz or .parquet, got '" ~ path ~ "'"
        ) }}
    {%- endif -%}
    {%- if execute -%}
        {%- set found = run_query('select count(*) from glob(' ~ literal ~ ')') -%}
        {%- set file_count = found.columns[0].values()[0] -%}
        {%- if file_count == 0 -%}
            {{ exceptions.raise_compiler_error(
                "customers_file '" ~ path ~ "' does not exist (relative paths resolve "
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


{#- Map each required column to the input's own (quoted) column name, or fail with an
    error naming the missing column. At parse time there is no data to look at, so the
    canonical headers stand in. -#}
{% macro customer_input_columns(input_relation) -%}
    {%- set required = required_customer_columns() -%}
    {%- set resolved = {} -%}
    {%- if not execute -%}
        {%- for name, column in required.items() -%}
            {%- do resolved.update({name: quoted_identifier(column.header)}) -%}
        {%- endfor -%}
        {{ return(resolved) }}
    {%- endif -%}
    {%- set found = run_query('select * from ' ~ input_relation ~ ' limit 0').column_names -%}
    {%- if is_numbered_parquet_reader(input_relation) -%}
        {%- set found = found | reject('equalto', 'file_row_number') | list -%}
    {%- endif -%}
    {%- for name, column in required.items() -%}
        {%- set matches = [] -%}
        {%- for candidate in found -%}
            {%- set folded = modules.re.sub('[^a-z0-9]', '', candidate | lower) -%}
            {%- if folded in column.spellings -%}
                {%- do matches.append(candidate) -%}
            {%- endif -%}
        {%- endfor -%}
        {%- if matches | length == 0 -%}
            {#- Only on this error path is the input counted: an empty CSV file reads
                as one column named column0 and no rows. -#}
            {%- set row_count = run_query(
                'select count(*) from ' ~ input_relation
            ).columns[0].values()[0] -%}
            {%- if row_count == 0 and found | length <= 1 -%}
                {{ exceptions.raise_compiler_error(
                    "The customers input is empty: no header and no rows. Expected the "
                    ~ "columns CustomerID, Gender, Age, Annual Income (k$), "
                    ~ "Spending Score (1-100)."
                ) }}
            {%- endif -%}
            {{ exceptions.raise_compiler_error(
                "The customers input is missing the required column '" ~ column.header
                ~ "' (" ~ name ~ "). Columns found: " ~ found | join(', ')
            ) }}
        {%- elif matches | length > 1 -%}
            {{ exceptions.raise_compiler_error(
                "The customers input has more than one column for '" ~ column.header
                ~ "': " ~ matches | join(', ')
            ) }}
        {%- endif -%}
        {%- do resolved.update({name: quoted_identifier(matches[0])}) -%}
    {%- endfor -%}
    {{ return(resolved) }}
{%- endmacro %}


{#- The required numeric columns (among age, income, spending score and id) that the
    input already types as numbers, as in most Parquet files. Staging reads those
    directly: turning ten million numbers into text and parsing them back costs
    seconds and can change nothing. Engines without a cheap way to ask get an empty
    list, and every column goes through the text path. -#}
{% macro numeric_input_columns(input_relation, input_columns) -%}
    {{ return(adapter.dispatch('numeric_input_columns', 'customer_segmentation')(
        input_relation, input_columns
    )) }}
{%- endmacro %}

{% macro default__numeric_input_columns(input_relation, input_columns) -%}
    {{ return([]) }}
{%- endmacro %}

{% macro duckdb__numeric_input_columns(input_relation, input_columns) -%}
    {%- if not execute -%}
        {{ return([]) }}
    {%- endif -%}
    {%- set numeric_types = [
        'TINYINT', 'SMALLINT', 'INTEGER', 'BIGINT', 'HUGEINT', 'UTINYINT', 'USMALLINT',
        'UINTEGER', 'UBIGINT', 'UHUGEINT', 'FLOAT', 'DOUBLE', 'REAL'
    ] -%}
    {%- set described = run_query('describe select * from ' ~ input_relation) -%}
    {%- set types = {} -%}
    {%- for row in described.rows -%}
        {%- do types.update({quoted_identifier(row[0]): row[1] | upper}) -%}
    {%- endfor -%}
    {%- set numeric = [] -%}
    {%- for name in ['customer_id', 'age', 'annual_income', 'spending_score'] -%}
        {%- set column_type = types.get(input_columns[name], '') -%}
        {%- if column_type in numeric_types or column_type.startswith('DECIMAL') -%}
            {%- do numeric.append(name) -%}
        {%- elif column_type not in ['VARCHAR', ''] -%}
            {#- A typed file whose column holds dates, booleans or lists: every row
                would be quarantined; say what is wrong with the file instead. -#}
            {{ exceptions.raise_compiler_error(
                "The customers input column " ~ input_columns[name] ~ " (" ~ name
                ~ ") has type " ~ column_type ~ "; it must hold numbers (or text)."
            ) }}
        {%- endif -%}
    {%- endfor -%}
    {{ return(numeric) }}
{%- endmacro %}


{#- The input rows, numbered, with each required column as read: numbers the input
    already types as numbers stay numbers, anything else is trimmed text (blank = null).
    Staging parses these; customer_quarantine reads them again for the rows staging
    rejected (both number the rows the same way, see input_row_number). -#}
{% macro customer_input_rows(input_relation) -%}
    {%- set input_columns = customer_input_columns(input_relation) -%}
    {%- set numeric_columns = numeric_input_columns(input_relation, input_columns) -%}
    select
        {{ input_row_number(input_relation) }} as input_row_number,
        {%- for name, column in input_columns.items() %}
        {%- if name in numeric_columns %}
        {{ column }} as raw_{{ name }}{{ ',' if not loop.last }}
        {%- else %}
        nullif(trim(cast({{ column }} as {{ dbt.type_string() }})), '')
            as raw_{{ name }}{{ ',' if not loop.last }}
        {%- endif %}
        {%- endfor %}
    from {{ input_relation }}
{%- endmacro %}


{#- False when no two input rows can carry the same customer id, so staging needs no
    duplicate handling; true when they may (or it cannot tell). It reads only the id
    column, parsed as staging parses it: every id staging accepts keeps its value, and
    any other maps to some number or to nothing, so a repeat among the usable rows is
    always seen (a rejected row sharing an id makes it answer true: staging then
    compares, as before). The distinct ids are counted in a bitmap
    (bitmap_distinct_counts): at ten million customers 0.1 s, where staging's grouping
    of every id took 0.5 s and a second pass over the parsed rows 0.3 s more. -#}
{% macro customer_ids_may_repeat(input_rows_sql) -%}
    {%- if not execute -%}
        {{ return(true) }}
    {%- endif -%}
    {%- set ids -%}
        (
            select
                coalesce(
                    try_cast(raw_customer_id as {{ dbt.type_bigint() }}),
                    try_cast({{ try_cast_double('raw_customer_id') }} as {{ dbt.type_bigint() }})
                ) as id_number
            from ({{ input_rows_sql }}) as input_rows
        ) as ids
    {%- endset -%}
    {%- set counts = bitmap_distinct_counts(ids, 'id_number') -%}
    {{ return(counts is none or counts.distinct_count < counts.value_count) }}
{%- endmacro %}
