with

assignments as (
    select * from {{ ref('int_customers_assigned') }}
),

personas as (
    select * from {{ ref('int_segment_personas') }}
),

segmented as (
    select
        assignments.customer_id,
        assignments.segment_id,
        personas.segment_name,
        assignments.gender,
        {{ band_code_case('age', 'assignments.age') }} as age_band,
        {{ band_code_case('annual_income', 'assignments.annual_income_z') }}
            as income_band,
        {{ band_code_case('spending_score', 'assignments.spending_score_z') }}
            as spending_band,
        assignments.age,
        assignments.annual_income,
        assignments.spending_score,
        assignments.distance_to_centroid,
        assignments.is_outlier
    from assignments
    inner join personas
        on assignments.segment_id = personas.segment_id
)

select * from segmented
