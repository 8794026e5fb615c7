{#- Passes when none of the given columns is null on any row: one test node for what
    would be one not_null test per column (see unique_keys on what a node costs). -#}
{% test not_null_columns(model, columns) %}
    select {{ columns | join(', ') }}
    from {{ model }}
    where {{ columns | join(' is null or ') }} is null
{% endtest %}
