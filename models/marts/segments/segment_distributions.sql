{#- Counts and shares of each segment's customers per band of every dimension (age,
    income and spending bands from customer_bands, plus gender), zero-count bands
    included; shares are within each segment. Bounds are given in the feature's own
    units: z-score bands are converted with the population scaling. -#}
with

customer_segments as (
    select * from {{ ref('customer_segments') }}
),

bands as (
    select * from {{ ref('customer_bands') }}
),

feature_scaling as (
    select * from {{ ref('segment_feature_scaling') }}
),

all_bands as (
    select
        bands.band_dimension,
        bands.band_code,
        bands.band_label,
        bands.band_order,
        case
            when bands.bound_unit = 'years' then bands.lower_bound
            else feature_scaling.feature_mean
                + bands.lower_bound * feature_scaling.feature_std
        end as lower_bound,
        case
            when bands.bound_unit = 'years' then bands.upper_bound
            else feature_scaling.feature_mean
                + bands.upper_bound * feature_scaling.feature_std
        end as upper_bound
    from bands
    left join feature_scaling
        on bands.band_dimension = feature_scaling.feature_name

    union all

    select
        'gender' as band_dimension,
        gender as band_code,
        gender as band_label,
        case gender when 'Female' then 1 when 'Male' then 2 else 3 end as band_order,
        cast(null as {{ double_type() }}) as lower_bound,
        cast(null as {{ double_type() }}) as upper_bound
    from (select 'Female' as gender union all select 'Male' union all select 'Other')
        as genders
),

customer_bands_long as (
    {%- for dimension, column in [
        ('age', 'age_band'),
        ('annual_income', 'income_band'),
        ('spending_score', 'spending_band'),
        ('gender', 'gender'),
    ] %}
    select
        segment_id,
        '{{ dimension }}' as band_dimension,
        {{ column }} as band_code
    from customer_segments
    {%- if not loop.last %}

    union all
    {%- endif %}
    {%- endfor %}
),

counted as (
    select
        segment_id,
        band_dimension,
        band_code,
        count(*) as customer_count
    from customer_bands_long
    group by segment_id, band_dimension, band_code
),

segments as (
    select distinct
        segment_id,
        segment_name
    from customer_segments
),

scaffold as (
    select
        segments.segment_id,
        segments.segment_name,
        all_bands.*
    from segments
    cross join all_bands
),

final as (
    select
        scaffold.segment_id,
        scaffold.band_dimension,
        scaffold.band_code,
        scaffold.segment_name,
        scaffold.band_label,
        scaffold.band_order,
        scaffold.lower_bound,
        scaffold.upper_bound,
        coalesce(counted.customer_count, 0) as customer_count,
        cast(coalesce(counted.customer_count, 0) as {{ double_type() }})
        / sum(coalesce(counted.customer_count, 0)) over (
            partition by scaffold.segment_id, scaffold.band_dimension
        ) as customer_share
    from scaffold
    left join counted
        on scaffold.band_dimension = counted.band_dimension
        and scaffold.band_code = counted.band_code
        and scaffold.segment_id = counted.segment_id
)

select * from final
