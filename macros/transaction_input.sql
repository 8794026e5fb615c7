{#- The transaction log an RFM segmentation starts from: the `transactions_file` var (a
    CSV or Parquet file, read like customers_file) or `transactions_relation` (a table
    or view in the warehouse); none when neither is set. -#}
{% macro transactions_input() -%}
    {%- set relation_name = var('transactions_relation', none) -%}
    {%- set path = var('transactions_file', none) -%}
    {%- if is_set(relation_name) and is_set(path) -%}
        {{ exceptions.raise_compiler_error(
            "transactions_relation and transactions_file are both set; choose one input"
        ) }}
    {%- elif is_set(relation_name) -%}
        {{ return(customers_relation_input(relation_name, 'transactions_relation')) }}
    {%- elif is_set(path) -%}
        {{ return(customers_file_input(path, 'transactions_file')) }}
    {%- endif -%}
    {{ return(none) }}
{%- endmacro %}


{#- Whether the segmentation starts from a transaction log (known at parse time: vars
    are). -#}
{% macro has_transactions() -%}
    {{ return(
        is_set(var('transactions_relation', none)) or is_set(var('transactions_file', none))
    ) }}
{%- endmacro %}


{#- Whether RFM values join a customer table (a log and a customer table both given)
    rather than making the customer table themselves. -#}
{% macro rfm_joins_customer_table() -%}
    {{ return(has_transactions() and has_customer_table()) }}
{%- endmacro %}


{#- The columns a transaction log gives each customer, by the names features and
    profile columns use. -#}
{% macro rfm_value_columns() -%}
    {{ return([
        'recency_days', 'frequency', 'monetary', 'average_order_value', 'tenure_days',
        'first_purchase_date', 'last_purchase_date',
    ]) }}
{%- endmacro %}


{#- Header spellings of each role of a transaction line, compared folded, most specific
    first; amount, or quantity and unit_price. -#}
{% macro transaction_column_spellings() -%}
    {{ return({
        'customer_id': ['customerid', 'custid', 'clientid', 'userid', 'memberid', 'accountid'],
        'date': [
            'invoicedate', 'orderdate', 'transactiondate', 'purchasedate', 'saledate',
            'date', 'datetime', 'timestamp', 'createdat',
        ],
        'amount': [
            'amount', 'lineamount', 'revenue', 'sales', 'salesamount', 'netamount', 'total',
            'linetotal', 'value',
        ],
        'quantity': ['quantity', 'qty', 'units'],
        'unit_price': ['unitprice', 'price', 'itemprice'],
        'order_id': ['invoiceno', 'invoicenumber', 'invoice', 'orderid', 'ordernumber',
                     'transactionid'],
    }) }}
{%- endmacro %}


{#- Each role of a transaction line matched to the input's column:
    {role: {'expression', 'header', 'input_kind'}} for customer_id, date, amount or
    quantity and unit_price, and order_id when there is one. transaction_columns (a
    mapping role -> header) names them; without it they are detected, and the build log
    says what was found. A role that cannot be matched fails naming it. -#}
{% macro resolved_transaction_columns(input_relation) -%}
    {%- set configured = var('transaction_columns', none) -%}
    {%- set roles = ['customer_id', 'date', 'amount', 'quantity', 'unit_price', 'order_id'] -%}
    {%- if configured is not none and configured is not mapping -%}
        {{ exceptions.raise_compiler_error(
            "transaction_columns must be a mapping {customer_id: COL, date: COL, amount: COL} "
            ~ "or {customer_id: COL, date: COL, quantity: COL, unit_price: COL}, optionally "
            ~ "with order_id: COL; got '" ~ configured ~ "'"
        ) }}
    {%- endif -%}
    {%- if configured is mapping -%}
        {%- set unknown = configured.keys() | reject('in', roles) | list -%}
        {%- if unknown -%}
            {{ exceptions.raise_compiler_error(
                "transaction_columns: unknown role(s) " ~ unknown | join(', ') ~ "; roles: "
                ~ roles | join(', ')
            ) }}
        {%- endif -%}
    {%- endif -%}
    {%- if not execute -%}
        {%- set stand_in = {} -%}
        {%- for role in ['customer_id', 'date', 'amount'] -%}
            {%- do stand_in.update({role: {
                'expression': quoted_identifier(role), 'header': role, 'input_kind': 'text'
            }}) -%}
        {%- endfor -%}
        {{ return(stand_in) }}
    {%- endif -%}
    {%- set types = input_column_types(input_relation) -%}
    {%- set found = types.keys() | list -%}
    {%- set spellings = transaction_column_spellings() -%}
    {%- set resolved = {} -%}
    {%- for role in roles -%}
        {%- if configured is mapping and role in configured -%}
            {%- set wanted = configured[role] -%}
            {%- if wanted is not string or wanted | trim == '' -%}
                {{ exceptions.raise_compiler_error(
                    "transaction_columns: " ~ role ~ " must name a column, got '" ~ wanted ~ "'"
                ) }}
            {%- endif -%}
            {%- set header = matching_input_column(found, [folded_header(wanted)], wanted) -%}
            {%- if header is none -%}
                {{ explain_missing_column(
                    input_relation, found,
                    "The transactions input has no column '" ~ wanted ~ "' (" ~ role ~ ")."
                ) }}
            {%- endif -%}
        {%- elif configured is mapping -%}
            {%- set header = none -%}
        {%- else -%}
            {%- set detected = namespace(header=none) -%}
            {%- for spelling in spellings[role] if detected.header is none -%}
                {%- set detected.header = matching_input_column(found, [spelling], spelling) -%}
            {%- endfor -%}
            {%- set header = detected.header -%}
        {%- endif -%}
        {%- if header is not none -%}
            {%- do resolved.update({role: {
                'expression': quoted_identifier(header), 'header': header,
                'input_kind': types[header],
            }}) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- if 'amount' in resolved -%}
        {%- do resolved.pop('quantity', none) -%}
        {%- do resolved.pop('unit_price', none) -%}
    {%- endif -%}
    {%- set needed = ['customer_id', 'date'] + (
        [] if 'amount' in resolved else ['quantity', 'unit_price']
    ) -%}
    {%- for role in needed if role not in resolved -%}
        {{ explain_missing_column(
            input_relation, found,
            "The transactions input has no " ~ role ~ " column"
            ~ (" (and no amount column)" if role in ['quantity', 'unit_price'] else "")
            ~ ": name it in transaction_columns."
        ) }}
    {%- endfor -%}
    {%- if configured is none -%}
        {%- set described = [] -%}
        {%- for role, column in resolved.items() -%}
            {%- do described.append(role ~ ' = ' ~ column.header) -%}
        {%- endfor -%}
        {%- do log("transaction columns detected: " ~ described | join(', '), info=true) -%}
    {%- endif -%}
    {{ return(resolved) }}
{%- endmacro %}


{#- A line's date and time from text: ISO (2011-12-09, with or without a time), or the
    format transaction_date_format names, or US month/day/year with or without a time
    (12/9/2011 12:50); null when none reads it. A typed date or timestamp column is
    read as it is. -#}
{#- True for an input column the engine already types as a date or time. -#}
{% macro is_time_kind(input_kind) -%}
    {{ return(input_kind in [
        'TIMESTAMP', 'TIMESTAMP WITH TIME ZONE', 'TIMESTAMP_NS', 'TIMESTAMP_MS',
        'TIMESTAMP_S', 'DATE', 'TIMESTAMP_NTZ', 'TIMESTAMP_LTZ',
    ]) }}
{%- endmacro %}

{% macro parsed_transaction_time(expression, input_kind) -%}
    {%- if is_time_kind(input_kind) -%}
        cast({{ expression }} as {{ dbt.type_timestamp() }})
    {%- else -%}
        {%- set text = raw_input_value(expression, input_kind, false) -%}
        {{ adapter.dispatch('parsed_transaction_time', 'customer_segmentation')(
            text, transaction_date_formats()
        ) }}
    {%- endif -%}
{%- endmacro %}

{% macro default__parsed_transaction_time(text, formats) -%}
    coalesce(
        try_cast({{ text }} as {{ dbt.type_timestamp() }}),
        try_strptime({{ text }}, [
            {%- for format in formats %}{{ sql_string_literal(format) }}{{ ', ' if not loop.last }}{% endfor -%}
        ])
    )
{%- endmacro %}

{#- Spark: Java date patterns; to_timestamp gives null on text it cannot read (ANSI
    off, as dbt-spark runs it). -#}
{% macro spark__parsed_transaction_time(text, formats) -%}
    coalesce(
        to_timestamp({{ text }}),
        {%- for format in formats %}
        to_timestamp({{ text }}, {{ sql_string_literal(java_date_pattern(format)) }})
        {{- ',' if not loop.last }}
        {%- endfor %}
    )
{%- endmacro %}

{#- The strptime formats tried after ISO: transaction_date_format, when set, first. -#}
{% macro transaction_date_formats() -%}
    {%- set configured = var('transaction_date_format', none) -%}
    {%- set formats = ['%m/%d/%Y %H:%M', '%m/%d/%Y %H:%M:%S', '%m/%d/%Y'] -%}
    {%- if configured is not none -%}
        {%- if configured is not string
            or not modules.re.match('^([%][YmdHMSbBy]|[ ./:T,-])+$', configured) -%}
            {{ exceptions.raise_compiler_error(
                "transaction_date_format must be a strptime format made of %Y %m %d %H %M "
                ~ "%S %b %B %y and separators, got '" ~ configured ~ "'"
            ) }}
        {%- endif -%}
        {%- set formats = [configured] + formats -%}
    {%- endif -%}
    {{ return(formats) }}
{%- endmacro %}

{% macro java_date_pattern(format) -%}
    {%- set pattern = format -%}
    {%- for directive, java in [('%Y', 'yyyy'), ('%y', 'yy'), ('%m', 'M'), ('%d', 'd'),
        ('%H', 'H'), ('%M', 'mm'), ('%S', 'ss'), ('%b', 'MMM'), ('%B', 'MMMM')] -%}
        {%- set pattern = pattern.replace(directive, java) -%}
    {%- endfor -%}
    {{ return(pattern) }}
{%- endmacro %}


{#- The RFM reference date as a date literal: the rfm_as_of var (a date), else the
    latest `time_column` of `relation`'s rows meeting `condition`, a day later with
    `day_after`. By default the rfm_as_of stg_transactions__customers computed; the
    customers model itself reads the log's latest usable line (day_after) where its
    window needs the date first. None when there is no usable line (or at parse
    time). -#}
{% macro rfm_as_of_date(relation, time_column='rfm_as_of', condition='1 = 1', day_after=false) -%}
    {%- set configured = var('rfm_as_of', none) -%}
    {%- if configured is not none -%}
        {{ return(checked_date_var(configured, 'rfm_as_of')) }}
    {%- endif -%}
    {%- if not execute or load_relation(relation) is none -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set latest = run_query(
        'select max(cast(' ~ time_column ~ ' as date)) from ' ~ relation ~ ' where ' ~ condition
    ).columns[0].values()[0] -%}
    {%- if latest is none -%}
        {{ return(none) }}
    {%- endif -%}
    {{ return((latest + modules.datetime.timedelta(days=1 if day_after else 0)).isoformat()) }}
{%- endmacro %}


{#- A date var as YYYY-MM-DD text, checked. -#}
{% macro checked_date_var(value, name) -%}
    {%- set text = value | string | trim -%}
    {%- if not modules.re.match('^[0-9]{4}-[0-9]{2}-[0-9]{2}$', text) -%}
        {{ exceptions.raise_compiler_error(
            name ~ " must be a date written YYYY-MM-DD, got '" ~ value ~ "'"
        ) }}
    {%- endif -%}
    {%- set parsed = modules.datetime.datetime.strptime(text, '%Y-%m-%d') -%}
    {{ return(text) }}
{%- endmacro %}


{#- rfm_window_days: a whole number of days, or none for all history. -#}
{% macro rfm_window_days() -%}
    {%- if var('rfm_window_days', none) is none -%}
        {{ return(none) }}
    {%- endif -%}
    {{ return(number_var('rfm_window_days', 1, 100000, whole=true) | int) }}
{%- endmacro %}


{#- (header, raw text) pairs of a line's number columns, for its raw values. -#}
{% macro rendered_number_pairs(columns, roles) -%}
    {%- set pairs = [] -%}
    {%- for role in roles -%}
        {%- do pairs.append((columns[role].header, as_text('raw__' ~ role))) -%}
    {%- endfor -%}
    {{ return(pairs) }}
{%- endmacro %}
