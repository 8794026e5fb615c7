{#- Passes when the model and another model (its rows where `to_condition` holds, when
    given) hold exactly the same set of keys: none missing on either side. Keys may
    repeat on the other side: with `unique` on the model, every key is there once.
    One full outer join finds both kinds of gap (two NOT IN anti-joins took three
    times as long at ten million keys); keys are expected to be non-null. -#}
{% test same_keys_as(model, column_name, to, field, to_condition=none) %}
    with

    here as (
        select {{ column_name }} as key_value from {{ model }}
    ),

    there as (
        select {{ field }} as key_value from {{ to }}
        {%- if to_condition is not none %}
        where {{ to_condition }}
        {%- endif %}
    ),

    unmatched as (
        select
            coalesce(here.key_value, there.key_value) as key_value,
            case
                when here.key_value is null then 'missing from the tested model'
                else 'missing from {{ to }}'
            end as problem
        from here
        full outer join there
            on here.key_value = there.key_value
        where here.key_value is null
            or there.key_value is null
    )

    select * from unmatched
{% endtest %}
