{#- Passes when each given column holds only its accepted values (nulls pass, as with
    accepted_values): `values` maps a column to its list. One scan of the model for
    several columns, so one test node instead of an accepted_values test per column.
    A failing row names the column and the value and counts its rows. -#}
{% test accepted_values_by_column(model, values) %}
    {%- for column, accepted in values.items() %}
    select
        '{{ column }}' as column_name,
        cast({{ column }} as {{ dbt.type_string() }}) as value,
        count(*) as rows_with_value
    from {{ model }}
    where {{ column }} not in ({% for value in accepted -%}
        '{{ value }}'{{ ", " if not loop.last }}
    {%- endfor %})
    group by {{ column }}
    {%- if not loop.last %}

    union all
    {% endif %}
    {%- endfor %}
{% endtest %}
