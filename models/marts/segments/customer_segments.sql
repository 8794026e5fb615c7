with

customers as (
    select * from {{ ref('int_customers_cleaned') }}
),

standardised_customers as (
    select * from {{ ref('int_customers_standardised') }}
),

assignments as (
    select * from {{ ref('int_customers_assigned') }}
),

personas as (
    select * from {{ ref('int_segment_personas') }}
),

bands as (
    select * from {{ ref('customer_bands') }}
),

segmented as (
    select
        customers.customer_id,
        assignments.segment_id,
        personas.segment_name,
        customers.gender,
        age_bands.band_code as age_band,
        income_bands.band_code as income_band,
        spending_bands.band_code as spending_band,
        customers.age,
        customers.annual_income,
        customers.spending_score,
        assignments.distance_to_centroid
    from customers
    inner join assignments
        on customers.customer_id = assignments.customer_id
    inner join standardised_customers
        on customers.customer_id = standardised_customers.customer_id
    inner join personas
        on assignments.segment_id = personas.segment_id
    left join bands as age_bands
        on age_bands.band_dimension = 'age'
        and {{ in_band('customers.age', 'age_bands') }}
    left join bands as income_bands
        on income_bands.band_dimension = 'annual_income'
        and {{ in_band('standardised_customers.annual_income_z', 'income_bands') }}
    left join bands as spending_bands
        on spending_bands.band_dimension = 'spending_score'
        and {{ in_band('standardised_customers.spending_score_z', 'spending_bands') }}
)

select * from segmented
