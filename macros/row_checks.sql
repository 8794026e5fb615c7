{#- A field's checks written once and read two ways. A check is a mapping: `when`, a
    condition on the row, and `then`, the message when it is the first of the field's
    checks to hold (never null then). Staging keeps the message for the quarantine and
    filters on the flag: plain conditions, with no message built or tested on every
    row. -#}

{#- The message of the first check that holds, or null. -#}
{% macro first_failed_check(checks) -%}
    {%- if checks | length == 0 -%}
        cast(null as {{ dbt.type_string() }})
    {%- else -%}
        case
            {%- for check in checks %}
            when {{ check.when }}
                then {{ check.then }}
            {%- endfor %}
        end
    {%- endif -%}
{%- endmacro %}


{#- True when any check holds: exactly when some first_failed_check is not null (a
    condition that is null counts as not holding, as in a case). -#}
{% macro any_check_failed(checks) -%}
    {%- if checks | length == 0 -%}
        false
    {%- else -%}
        coalesce(
            {%- for check in checks %}
            ({{ check.when }}){{ ' or' if not loop.last }}
            {%- endfor %},
            false
        )
    {%- endif -%}
{%- endmacro %}
