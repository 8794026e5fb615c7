{#- Fail the build, with a message saying why, when the input has no usable rows (none
    valid, or, with a transaction log joined on, none with a purchase) or when more
    than `max_quarantined_row_share` of its rows were quarantined. A few bad
    rows only warn (the `has_no_rows` test on customer_quarantine). -#}
{% macro assert_quarantined_share(staged_relation) -%}
    {%- set max_share = number_var('max_quarantined_row_share', 0, 1) -%}
    {%- if not execute -%}
        {{ return('') }}
    {%- endif -%}
    {%- set counts = run_query(
        'select count(*), count(*) filter (where is_quarantined),'
        ~ ' count(*) filter (where is_without_purchase) from ' ~ staged_relation
    ).rows[0] -%}
    {%- set input_rows, quarantined, without_purchase = counts[0], counts[1], counts[2] -%}
    {%- if input_rows == 0 -%}
        {{ exceptions.raise_compiler_error(
            "The customers input has no rows: nothing to segment."
        ) }}
    {%- endif -%}
    {%- set share = quarantined / input_rows -%}
    {%- if quarantined == input_rows or share > max_share -%}
        {{ exceptions.raise_compiler_error(
            quarantined ~ " of " ~ input_rows ~ " input rows ("
            ~ '%.1f' | format(share * 100) ~ "%) were quarantined, more than "
            ~ "max_quarantined_row_share=" ~ max_share ~ " allows. The reasons are in "
            ~ "the customer_quarantine table; fix the input or raise the var."
        ) }}
    {%- endif -%}
    {%- if quarantined + without_purchase == input_rows -%}
        {{ exceptions.raise_compiler_error(
            "None of the customer table's " ~ input_rows ~ " rows has a purchase in the "
            ~ "transaction log (or its RFM window): nothing to segment on RFM. Check that "
            ~ "the table's customer id column and the log's (customer_id_column, "
            ~ "transaction_columns.customer_id) hold the same ids."
        ) }}
    {%- endif -%}
{%- endmacro %}
