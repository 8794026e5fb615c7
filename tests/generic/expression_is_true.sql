{#- Passes when the boolean expression holds on every row. -#}
{% test expression_is_true(model, expression, column_name=none) %}
    select * from {{ model }}
    where not coalesce({{ expression }}, false)
{% endtest %}
