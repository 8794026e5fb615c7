{#- Fresh persona names for the segments of this build's fit (int_segment_identity
    keeps the names of segments that continue a previous model's). A segment is named
    by the bands its centroid falls in (income and spending relative to the
    population, from customer_bands) through persona_definitions. When two segments land in the same cell their names are told
    apart by the centroid's age band, then by order of age, so names stay distinct. -#}

with

fitted_centroids as (
    select * from {{ ref('int_segment_centroids_fitted') }}
),

bands as (
    select * from {{ ref('customer_bands') }}
),

persona_definitions as (
    select * from {{ ref('persona_definitions') }}
),

selected_centroids as (
    select
        candidate_segment,
        centroid_age_z,
        centroid_annual_income_z,
        centroid_spending_score_z,
        centroid_age
    from fitted_centroids
    where is_selected_k
),

banded as (
    {{ centroid_bands('selected_centroids', 'bands', 'candidate_segment') }}
),

named as (
    select
        banded.*,
        coalesce(
            persona_definitions.persona_name,
            banded.income_band_label || ', ' || banded.spending_band_label
        ) as persona_name,
        coalesce(
            persona_definitions.persona_summary,
            'Customers with ' || banded.income_band_label || ' and '
            || banded.spending_band_label || '.'
        ) as persona_summary,
        count(*) over (
            partition by banded.income_band, banded.spending_band
        ) as segments_in_cell,
        count(*) over (
            partition by banded.income_band, banded.spending_band, banded.age_band
        ) as segments_in_cell_and_age_band,
        row_number() over (
            partition by banded.income_band, banded.spending_band, banded.age_band
            order by banded.centroid_age, banded.candidate_segment
        ) as age_order_in_cell
    from banded
    left join persona_definitions
        on banded.income_band = persona_definitions.income_band
        and banded.spending_band = persona_definitions.spending_band
),

final as (
    select
        candidate_segment,
        case
            when segments_in_cell = 1 then persona_name
            when segments_in_cell_and_age_band = 1
                then persona_name || ' (' || age_band_label || ')'
            else persona_name || ' (' || age_band_label || ' #'
                || cast(age_order_in_cell as {{ dbt.type_string() }}) || ')'
        end as segment_name,
        persona_name,
        persona_summary,
        income_band,
        spending_band,
        age_band,
        income_band_label,
        spending_band_label,
        age_band_label
    from named
)

select * from final
