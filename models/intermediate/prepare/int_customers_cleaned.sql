{#- Fails the build, saying why, when the input has no usable row or more of it was
    quarantined than max_quarantined_row_share allows (customer_quarantine, built from
    staging alone, holds the reasons either way). -#}
{{ assert_quarantined_share(ref('stg_input__customers')) }}
{%- set resolved = customer_columns(ref('stg_input__columns')) %}

with

staged_customers as (
    select * from {{ ref('stg_input__customers') }}
),

valid_customers as (
    select
        customer_id,
        {%- for column in resolved.columns %}
        {{ column.name }},
        {%- endfor %}
        has_imputed_value
    from staged_customers
    where not is_quarantined
        and not is_exact_duplicate
        and not is_without_purchase
)

select * from valid_customers
