{#- The rows the segmentation starts from when it starts from a transaction log:
    customers_input() reads this in place of a customer table.

    A log alone: its customers with a purchase in the RFM window, with their RFM values.

    A log beside a customer table (customers_file or customers_relation): every row of
    the customer table, its columns as given, with the RFM values of the log's customer
    of the same id joined on, whether that customer made a purchase in the window
    (rfm__has_purchase), why not (rfm__unscored_reason), and the row's position in the
    table (rfm__input_row_number), which staging takes as the input row number. A
    customer without a purchase has frequency and monetary 0 (or, with only returns,
    its net amount) and no recency: staging reports it and, when an RFM value is a
    feature, leaves it out of the segmentation. Ids match as whole numbers when both
    sides hold whole numbers, else as text, verbatim. -#}
{%- set customer_table = customer_table_input() %}

{%- if not rfm_joins_customer_table() %}

with

transaction_customers as (
    select * from {{ ref('stg_transactions__customers') }}
),

scored as (
    select
        customer_id,
        recency_days,
        frequency,
        monetary,
        average_order_value,
        tenure_days,
        first_purchase_date,
        last_purchase_date
    from transaction_customers
    where is_scored
)

select * from scored
{%- else %}
{%- set rfm_customers_relation = ref('stg_transactions__customers') %}
{%- set table_id_type, log_id_type = 'integer', 'integer' %}
{%- set numbered = is_numbered_parquet_reader(customer_table) %}
{%- if execute %}
    {%- set types = input_column_types(customer_table) %}
    {%- set found = types.keys() | list %}
    {%- set added = rfm_value_columns() + [
        'rfm__customer_id', 'rfm__has_purchase', 'rfm__unscored_reason',
        'rfm__input_row_number',
    ] %}
    {%- set clashing = [] %}
    {%- for header in found %}
        {%- if folded_header(header) in added | map('replace', '_', '') | list %}
            {%- do clashing.append(header) %}
        {%- endif %}
    {%- endfor %}
    {%- if clashing %}
        {{ exceptions.raise_compiler_error(
            "The customer table already has column(s) " ~ clashing | join(', ')
            ~ ", named like the RFM values a transaction log adds ("
            ~ rfm_value_columns() | join(', ') ~ "). Rename them, or leave the log out."
        ) }}
    {%- endif %}
    {%- set table_id = customer_id_resolution(customer_table, found, types) %}
    {%- if table_id.mode == 'position' %}
        {{ exceptions.raise_compiler_error(
            "customer_id_column is none, but joining a transaction log to the customer "
            ~ "table needs the table's customer id column: name it in customer_id_column."
        ) }}
    {%- endif %}
    {%- set table_id_type = table_id.type %}
    {%- set log_id_type = namespace(value='text') %}
    {%- for column in adapter.get_columns_in_relation(rfm_customers_relation) %}
        {%- if column.name == 'customer_id' and input_value_kind(column.dtype) == 'integer' %}
            {%- set log_id_type.value = 'integer' %}
        {%- endif %}
    {%- endfor %}
    {%- set log_id_type = log_id_type.value %}
    {%- set table_id_text = raw_input_value(
        'customer_rows.' ~ table_id.expression, 'text', false
    ) %}
{%- else %}
    {%- set table_id_text = 'customer_rows.customer_id' %}
{%- endif %}
{%- set join_on_whole_numbers = table_id_type == 'integer' and log_id_type == 'integer' %}

with

customer_rows as (
    select
        {{ input_row_number(customer_table) }} as rfm__input_row_number,
        *{{ ' exclude (file_row_number)' if numbered }}
    from {{ customer_table }}
),

transaction_customers as (
    select
        {%- if join_on_whole_numbers %}
        customer_id as rfm__join_key,
        {%- else %}
        {{ as_text('customer_id') }} as rfm__join_key,
        {%- endif %}
        *
    from {{ rfm_customers_relation }}
    where line_count > 0
),

joined as (
    select
        customer_rows.*,
        transaction_customers.customer_id as rfm__customer_id,
        coalesce(transaction_customers.is_scored, false) as rfm__has_purchase,
        case
            when transaction_customers.customer_id is null
                then 'no purchase: no line in the transaction log or the RFM window'
            else transaction_customers.unscored_reason
        end as rfm__unscored_reason,
        transaction_customers.recency_days,
        coalesce(transaction_customers.frequency, 0) as frequency,
        coalesce(transaction_customers.monetary, 0) as monetary,
        transaction_customers.average_order_value,
        transaction_customers.tenure_days,
        transaction_customers.first_purchase_date,
        transaction_customers.last_purchase_date
    from customer_rows
    left join transaction_customers
        on {{ whole_number_id(table_id_text) if join_on_whole_numbers else table_id_text }}
            = transaction_customers.rfm__join_key
)

select * from joined
{%- endif %}
