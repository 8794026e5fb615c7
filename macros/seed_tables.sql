{#- Seeds on DuckDB are created afresh on every load, never truncated and refilled: a
    seed file dropped in with other columns than the table it replaces (a user's own
    customers file, an edited rule seed) then loads as it is, where refilling the old
    table failed inside DuckDB's CSV reader. Seeds are small; recreating them costs
    nothing that matters. -#}
{% macro duckdb__reset_csv_table(model, full_refresh, old_relation, agate_table) -%}
    {{ adapter.drop_relation(old_relation) }}
    {{ return(create_csv_table(model, agate_table)) }}
{%- endmacro %}
