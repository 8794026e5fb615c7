{#- Passes when the model is empty. Used at warn severity on the quarantine, so that a
    few bad input rows are reported without failing the build. -#}
{% test has_no_rows(model) %}
    select * from {{ model }}
{% endtest %}
