{#- Passes when the model and another model hold exactly the same set of keys: none
    missing on either side. With `unique` on both, every key is there exactly once. -#}
{% test same_keys_as(model, column_name, to, field) %}
    with

    here as (
        select {{ column_name }} as key_value from {{ model }}
    ),

    there as (
        select {{ field }} as key_value from {{ to }}
    ),

    missing_here as (
        select key_value, 'missing from the tested model' as problem from there
        where key_value not in (select key_value from here)
    ),

    missing_there as (
        select key_value, 'missing from {{ to }}' as problem from here
        where key_value not in (select key_value from there)
    )

    select * from missing_here
    union all
    select * from missing_there
{% endtest %}
