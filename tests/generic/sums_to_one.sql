{#- Passes when the column sums to 1 (within a rounding tolerance), per group when
    group_by is given: shares of a whole must add up. -#}
{% test sums_to_one(model, column_name, group_by=none, tolerance=0.000001) %}
    select
        {{ group_by ~ ',' if group_by }}
        sum({{ column_name }}) as total
    from {{ model }}
    {{ 'group by ' ~ group_by if group_by }}
    having abs(sum({{ column_name }}) - 1) > {{ tolerance }}
{% endtest %}
