{#- Passes when every listed key identifies the model's rows: set on every row and on
    no two rows the same. A key is a column name or a list of column names (a compound
    key). One test for all of a model's keys instead of a unique and a not_null test per
    column: dbt spends about 45 ms running and 20 ms parsing each test node, whatever
    the table's size, which on small tables is nearly all of a test's cost. A failing row
    names the key, its value and the rows that carry it. On a table of 10,000 rows or
    more, a single key is first counted (key_is_unique_by_counting: a whole number in a
    bitmap, any other by its hashes), and grouped only when that finds a repeat or
    cannot tell. -#}
{% test unique_keys(model, keys) %}
    {#- A single key can be checked by counting alone. #}
    {%- set grouped_keys = [] %}
    {%- for key in keys %}
        {%- if not (execute and key is string and key_is_unique_by_counting(model, key)) %}
            {%- do grouped_keys.append(key) %}
        {%- endif %}
    {%- endfor %}
    {%- if grouped_keys | length == 0 %}
    -- Every key counted as many distinct values as the model has rows, none null
    -- (key_is_unique_by_counting): grouping by the keys would return no rows.
    select
        cast(null as {{ dbt.type_string() }}) as key_columns,
        cast(null as {{ dbt.type_string() }}) as key_value,
        cast(null as {{ dbt.type_bigint() }}) as rows_with_key
    where 1 = 0
    {%- endif %}
    {%- for key in grouped_keys %}
    {%- set columns = [key] if key is string else key %}
    {%- set value_parts = [] %}
    {%- for column in columns %}
        {%- if not loop.first %}{% do value_parts.append("', '") %}{% endif %}
        {%- do value_parts.append(
            "coalesce(cast(" ~ column ~ " as " ~ dbt.type_string() ~ "), 'null')"
        ) %}
    {%- endfor %}
    select
        '{{ columns | join(", ") }}' as key_columns,
        {{ dbt.concat(value_parts) }} as key_value,
        count(*) as rows_with_key
    from {{ model }}
    group by {{ columns | join(', ') }}
    having count(*) > 1
        or {{ columns | join(' is null or ') }} is null
    {%- if not loop.last %}

    union all
    {% endif %}
    {%- endfor %}
{% endtest %}
