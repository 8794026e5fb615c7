{#- Matching the configured columns to the input's own headers, and deciding how the
    customer id is read. Runs queries on the input at execution time; at parse time the
    configured names stand in. -#}

{#- Header spellings that name the customer id when customer_id_column is not set,
    most specific first (compared folded: "Customer ID", "customer_id", "CUST_ID"). -#}
{% macro customer_id_spellings() -%}
    {{ return([
        'customerid', 'custid', 'clientid', 'userid', 'memberid', 'accountid', 'id'
    ]) }}
{%- endmacro %}


{#- The input's columns and the kind of values each holds as typed: integer, number,
    text, or the engine's own type name for anything else. File readers (strings) are
    described directly; relations through the adapter. -#}
{% macro input_column_types(input_relation) -%}
    {%- set types = {} -%}
    {%- if input_relation is string -%}
        {%- for row in run_query('describe select * from ' ~ input_relation).rows -%}
            {%- do types.update({row[0]: input_value_kind(row[1])}) -%}
        {%- endfor -%}
        {%- if is_numbered_parquet_reader(input_relation) -%}
            {%- do types.pop('file_row_number') -%}
        {%- endif -%}
    {%- else -%}
        {%- for column in adapter.get_columns_in_relation(input_relation) -%}
            {%- do types.update({column.name: input_value_kind(column.dtype)}) -%}
        {%- endfor -%}
    {%- endif -%}
    {{ return(types) }}
{%- endmacro %}

{% macro input_value_kind(type_name) -%}
    {%- set upper = (type_name | string | upper).split('(')[0] | trim -%}
    {%- if upper in [
        'TINYINT', 'SMALLINT', 'INTEGER', 'INT', 'BIGINT', 'HUGEINT', 'UTINYINT',
        'USMALLINT', 'UINTEGER', 'UBIGINT', 'UHUGEINT', 'LONG', 'SHORT', 'BYTE', 'INT64',
        'INT32', 'INT16', 'INT8'
    ] -%}
        {{ return('integer') }}
    {%- elif upper in ['FLOAT', 'DOUBLE', 'REAL', 'DECIMAL', 'NUMERIC', 'FLOAT64', 'FLOAT32'] -%}
        {{ return('number') }}
    {%- elif upper in ['VARCHAR', 'STRING', 'TEXT', 'CHAR', 'BPCHAR', 'CHARACTER VARYING'] -%}
        {{ return('text') }}
    {%- endif -%}
    {{ return(upper) }}
{%- endmacro %}


{#- The unit a header states in its last parentheses ("Annual Income (k$)" -> k$), or
    none; a range such as "(1-100)" is a scale, not a unit. -#}
{% macro header_unit(header) -%}
    {%- set found = modules.re.search('\\(([^()]{1,20})\\)\\s*$', header | string) -%}
    {%- if found is none -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set unit = found.group(1) | trim -%}
    {%- if unit == '' or modules.re.match('^[-+]?[0-9.]+\\s*-\\s*[-+]?[0-9.]+$', unit) -%}
        {{ return(none) }}
    {%- endif -%}
    {{ return(unit) }}
{%- endmacro %}


{#- The input column matching a configured column, or none; two matches fail. -#}
{% macro matching_input_column(found, spellings, column) -%}
    {%- set matches = [] -%}
    {%- for candidate in found -%}
        {%- if folded_header(candidate) in spellings -%}
            {%- do matches.append(candidate) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- if matches | length > 1 -%}
        {{ exceptions.raise_compiler_error(
            "The customers input has more than one column for '" ~ column ~ "': "
            ~ matches | join(', ')
        ) }}
    {%- endif -%}
    {{ return(matches[0] if matches else none) }}
{%- endmacro %}


{#- Fails saying the input is empty (an empty CSV file reads as one column named
    column0 and no rows) or looks tab-separated where a comma was expected, when either
    explains a missing column; counts rows only on this error path. -#}
{% macro explain_missing_column(input_relation, found, message) -%}
    {%- if found | length <= 1 -%}
        {%- set row_count = run_query(
            'select count(*) from ' ~ input_relation
        ).columns[0].values()[0] -%}
        {%- if row_count == 0 -%}
            {{ exceptions.raise_compiler_error(
                "The customers input is empty: no header and no rows."
            ) }}
        {%- endif -%}
        {%- if found and '\t' in found[0] -%}
            {{ exceptions.raise_compiler_error(
                message ~ " The only column is '" ~ found[0] ~ "': the file looks "
                ~ "tab-separated. Read it with customers_file, which detects the delimiter."
            ) }}
        {%- endif -%}
    {%- endif -%}
    {{ exceptions.raise_compiler_error(message ~ " Columns found: " ~ found | join(', ')) }}
{%- endmacro %}


{#- Every configured column matched to the input: a dict with `id` (how customers are
    identified) and `columns` (features first, then profile columns), each column the
    normalised spec plus `expression` (the input column, quoted), `header`,
    `input_kind` (integer, number or text as typed in the input), `kind` (numeric,
    categorical or text) and `unit` (configured, else from the header). -#}
{% macro resolved_customer_columns(input_relation) -%}
    {%- set features = segmentation_features() -%}
    {%- set profiles = profile_columns(features) -%}
    {%- if not execute -%}
        {{ return(stand_in_customer_columns(features, profiles)) }}
    {%- endif -%}
    {%- set types = input_column_types(input_relation) -%}
    {%- set found = types.keys() | list -%}
    {%- set resolved = [] -%}
    {%- for column in features + profiles -%}
        {%- set header = matching_input_column(found, column.spellings, column.column) -%}
        {%- if header is none and column.get('is_optional') -%}
            {#- A default profile column the input does not have: left out. -#}
        {%- elif header is none -%}
            {{ explain_missing_column(
                input_relation, found,
                "The customers input is missing the column '" ~ column.column ~ "' ("
                ~ ('segmentation feature ' if column.is_feature else 'profile column ')
                ~ column.name ~ ")."
            ) }}
        {%- else -%}
            {%- set input_kind = types[header] -%}
            {%- set wants_numbers = column.kind == 'numeric' -%}
            {%- if wants_numbers and input_kind not in ['integer', 'number', 'text'] -%}
                {{ exceptions.raise_compiler_error(
                    "The customers input column " ~ quoted_identifier(header) ~ " ("
                    ~ column.name ~ ") has type " ~ input_kind
                    ~ "; it must hold numbers (or text)."
                ) }}
            {%- endif -%}
            {%- set entry = {} -%}
            {%- do entry.update(column) -%}
            {%- do entry.update({
                'expression': quoted_identifier(header),
                'header': header,
                'input_kind': input_kind,
                'unit': column.unit if column.has_configured_unit else header_unit(header),
            }) -%}
            {%- do resolved.append(entry) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- do infer_profile_kinds(input_relation, resolved) -%}
    {{ return({
        'id': customer_id_resolution(input_relation, found, types),
        'columns': resolved,
    }) }}
{%- endmacro %}


{#- Parse time: the configured names, every column as text. -#}
{% macro stand_in_customer_columns(features, profiles) -%}
    {%- set resolved = [] -%}
    {%- for column in features + profiles -%}
        {%- set entry = {} -%}
        {%- do entry.update(column) -%}
        {%- do entry.update({
            'expression': quoted_identifier(column.column), 'header': column.column,
            'input_kind': 'text', 'kind': column.kind or 'text', 'unit': column.unit,
        }) -%}
        {%- do resolved.append(entry) -%}
    {%- endfor -%}
    {{ return({
        'id': {'mode': 'column', 'expression': quoted_identifier('CustomerID'),
               'header': 'CustomerID', 'type': 'integer', 'input_kind': 'text'},
        'columns': resolved,
    }) }}
{%- endmacro %}


{#- A profile column of no known kind is numeric when the input types it as numbers,
    or when every value it holds reads as a finite number; text otherwise. One scan of
    the input answers for every such column. -#}
{% macro infer_profile_kinds(input_relation, resolved) -%}
    {%- set unknown = [] -%}
    {%- for column in resolved if column.kind is none -%}
        {%- if column.input_kind in ['integer', 'number'] -%}
            {%- do column.update({'kind': 'numeric'}) -%}
        {%- elif column.input_kind != 'text' -%}
            {%- do column.update({'kind': 'text'}) -%}
        {%- else -%}
            {%- do unknown.append(column) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- if unknown -%}
        {%- set counts = [] -%}
        {%- for column in unknown -%}
            {%- set value = "nullif(trim(" ~ column.expression ~ "), '')" -%}
            {%- do counts.append(
                'count(' ~ value ~ ') - count(case when '
                ~ is_finite_number(try_cast_double(value)) ~ ' then 1 end)'
            ) -%}
        {%- endfor -%}
        {%- set row = run_query(
            'select ' ~ counts | join(', ') ~ ' from ' ~ input_relation
        ).rows[0] -%}
        {%- for column in unknown -%}
            {%- do column.update({'kind': 'numeric' if row[loop.index0] == 0 else 'text'}) -%}
        {%- endfor -%}
    {%- endif -%}
{%- endmacro %}


{#- How customers are identified: {'mode': 'column' or 'position', 'expression',
    'header', 'type': 'integer' or 'text', 'input_kind'}.

    customer_id_column names the column (matched like every header), or is `none`:
    the input has no id and a customer is its row's position (1 = first data row).
    Unset, the column is found by customer_id_spellings().

    customer_id_type (auto by default) decides how ids are kept. auto: whole numbers
    (bigint) when every id in the input is a whole number of 0 or more that reads
    exactly in 64 bits, as the mall's and most database keys are (zero-padded ones
    included: 0007 is customer 7); otherwise text, kept verbatim (C10001, UUIDs).
    integer: always whole numbers, and a row whose id is not one is quarantined.
    text: always verbatim. The choice must agree with the ids customer_segment_history
    already holds from earlier builds. -#}
{% macro customer_id_resolution(input_relation, found, types) -%}
    {%- set configured = var('customer_id_column', none) -%}
    {%- if configured is not none and configured is not string -%}
        {{ exceptions.raise_compiler_error(
            "customer_id_column must be a column name or none, got '" ~ configured ~ "'"
        ) }}
    {%- endif -%}
    {%- if configured is not none and configured | trim | lower in ['none', ''] -%}
        {%- do exceptions.warn(
            "customer_id_column is none: each customer's id is the position of its row "
            ~ "in the input (1 = first data row). Ids follow the row order: keep it stable "
            ~ "between builds, or the history tracks positions, not customers."
        ) -%}
        {{ return({'mode': 'position', 'expression': none, 'header': none,
                   'type': 'integer', 'input_kind': 'integer'}) }}
    {%- endif -%}
    {%- if configured is not none -%}
        {%- set header = matching_input_column(
            found, [folded_header(configured)], configured
        ) -%}
        {%- if header is none -%}
            {{ explain_missing_column(
                input_relation, found,
                "customer_id_column '" ~ configured ~ "' is not a column of the customers input."
            ) }}
        {%- endif -%}
    {%- else -%}
        {#- The first spelling with a match, most specific first. -#}
        {%- set detected = namespace(header=none) -%}
        {%- for spelling in customer_id_spellings() if detected.header is none -%}
            {%- set detected.header = matching_input_column(found, [spelling], spelling) -%}
        {%- endfor -%}
        {%- set header = detected.header -%}
        {%- if header is none -%}
            {{ explain_missing_column(
                input_relation, found,
                "The customers input has no customer id column (looked for CustomerID, "
                ~ "customer_id, cust_id, client_id, user_id, member_id, account_id, id). "
                ~ "Name it with customer_id_column, or set customer_id_column: none to "
                ~ "number the rows."
            ) }}
        {%- endif -%}
    {%- endif -%}
    {%- set expression = quoted_identifier(header) -%}
    {%- set input_kind = types[header] -%}
    {{ return({'mode': 'column', 'expression': expression, 'header': header,
               'type': decided_id_type(input_relation, header, input_kind),
               'input_kind': input_kind}) }}
{%- endmacro %}


{#- How the ids in column `header` of `input_relation` are kept: 'integer' or 'text'
    (see customer_id_resolution), checked against the history of earlier builds; the
    build log says when they are kept as text. -#}
{% macro decided_id_type(input_relation, header, input_kind) -%}
    {%- set wanted_type = var('customer_id_type', 'auto') -%}
    {%- set wanted_type = 'auto' if wanted_type is none else (wanted_type | string | lower | trim) -%}
    {%- if wanted_type not in ['auto', 'integer', 'text'] -%}
        {{ exceptions.raise_compiler_error(
            "customer_id_type must be auto, integer or text, got '" ~ wanted_type ~ "'"
        ) }}
    {%- endif -%}
    {%- set expression = quoted_identifier(header) -%}
    {%- set id_type = wanted_type -%}
    {%- set example = none -%}
    {%- if wanted_type == 'auto' -%}
        {%- if input_kind in ['integer', 'number'] -%}
            {%- set id_type = 'integer' -%}
        {%- elif input_kind != 'text' -%}
            {%- set id_type = 'text' -%}
        {%- else -%}
            {%- set text_id = "nullif(trim(" ~ expression ~ "), '')" -%}
            {%- set not_whole = run_query(
                'select ' ~ text_id ~ ' from ' ~ input_relation ~ ' where ' ~ text_id
                ~ ' is not null and ' ~ whole_number_id(text_id) ~ ' is null limit 1'
            ).rows -%}
            {%- set id_type = 'text' if not_whole else 'integer' -%}
            {%- set example = not_whole[0][0] if not_whole else none -%}
        {%- endif -%}
    {%- endif -%}
    {%- do check_history_id_type(id_type, example) -%}
    {%- if id_type == 'text' -%}
        {%- do log(
            "customer ids in " ~ header ~ " are kept as text"
            ~ (" ('" ~ example ~ "' is not a whole number)" if example is not none else "")
            ~ ".", info=true
        ) -%}
    {%- endif -%}
    {{ return(id_type) }}
{%- endmacro %}


{#- The history keeps every customer id of earlier builds: a build whose ids are kept
    another way (text against whole numbers) cannot continue it. -#}
{% macro check_history_id_type(id_type, example) -%}
    {%- set history = adapter.get_relation(
        database=target.database, schema=target.schema, identifier='customer_segment_history'
    ) -%}
    {%- if history is none -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set stored = none -%}
    {%- for column in adapter.get_columns_in_relation(history) if column.name == 'customer_id' -%}
        {%- set stored = 'integer' if input_value_kind(column.dtype) == 'integer' else 'text' -%}
        {%- if stored != id_type -%}
            {{ exceptions.raise_compiler_error(
                "Customer ids are " ~ ('text' if id_type == 'text' else 'whole numbers')
                ~ " in this input"
                ~ (" ('" ~ example ~ "' is not a whole number)" if example is not none else "")
                ~ ", but customer_segment_history holds "
                ~ ('text' if stored == 'text' else 'whole-number') ~ " ids from earlier "
                ~ "builds. To keep that history, set customer_id_type: " ~ stored
                ~ ("" if stored == 'text' else " (rows whose id is not a whole number are "
                    ~ "then quarantined)")
                ~ "; to start a new one with this input, drop customer_segment_history and "
                ~ "segment_migrations."
            ) }}
        {%- endif -%}
    {%- endfor -%}
{%- endmacro %}
