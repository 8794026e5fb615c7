{#- Passes when the column holds one of the given values on every row (never null)
    and no value on two rows: what unique, not_null and accepted_values test together,
    in one test node. A failing row gives the value, its rows and what is wrong. -#}
{% test unique_accepted_values(model, column_name, values) %}
    select
        {{ column_name }} as value,
        count(*) as rows_with_value,
        case
            when {{ column_name }} is null then 'null'
            when count(*) > 1 then 'repeated'
            else 'not accepted'
        end as problem
    from {{ model }}
    group by {{ column_name }}
    having count(*) > 1
        or {{ column_name }} is null
        or {{ column_name }} not in ({% for value in values -%}
            '{{ value }}'{{ ", " if not loop.last }}
        {%- endfor %})
{% endtest %}
