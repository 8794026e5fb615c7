-- depends_on: {{ ref('mall_customers') }}
{#- What the input is read as: one row for the customer id and one per configured
    column (features, then profile columns), matched to the input's own headers, with
    the rules staging applies to each. Resolved once here (the queries on the input run
    in this model only); every later model reads this table when it compiles. -#}
{%- set resolved = resolved_customer_columns(customers_input()) %}
{%- set customer_id = resolved.id %}

with

configured_columns as (
    {{ column_spec_row(
        0, 'customer_id', 'customer_id', customer_id.header, customer_id.input_kind,
        customer_id.type, customer_id.mode
    ) | indent(4) }}
    {%- for column in resolved.columns %}

    union all

    {{ column_spec_row(
        loop.index, 'feature' if column.is_feature else 'profile', column.name,
        column.header, column.input_kind, column.kind, none, column
    ) | indent(4) }}
    {%- endfor %}
)

select * from configured_columns
