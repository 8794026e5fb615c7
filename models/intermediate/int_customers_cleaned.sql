-- depends_on: {{ ref('customer_quarantine') }}
{#- The check runs after customer_quarantine is rebuilt, so a failed build leaves the
    reasons there to read. -#}
{{ assert_quarantined_share(ref('stg_mall__customers')) }}

with

staged_customers as (
    select * from {{ ref('stg_mall__customers') }}
),

valid_customers as (
    select
        customer_id,
        gender,
        age,
        annual_income,
        spending_score
    from staged_customers
    where not is_quarantined
        and not is_exact_duplicate
)

select * from valid_customers
