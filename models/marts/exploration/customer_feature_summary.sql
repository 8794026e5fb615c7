{#- Describes the loaded data, bad rows included: values that did not parse count as
    missing. Mirrors pandas' describe() (sample standard deviation; quartiles
    interpolated linearly between the two nearest values). Quartiles of age and
    spending score come from a count per value (counted_quantiles: at ten million
    rows this model took 1.0 s with percentile aggregates for all three, 0.5 s so);
    income can take a value per row and keeps the percentile aggregate. -#}
{%- set quartile_shares = [0.25, 0.5, 0.75] %}

with

staged_customers as (
    select * from {{ ref('stg_mall__customers') }}
),

{%- for feature in counted_features() %}

{{ feature }}_quartiles as (
    {{ counted_quantiles('staged_customers', feature, quartile_shares) | indent(4) }}
),
{%- endfor %}

{%- for feature in known_segmentation_features() if feature not in counted_features() %}

{{ feature }}_quartile_list as (
    select {{ quartile_list(feature) }} as quartiles
    from staged_customers
),

{{ feature }}_quartiles as (
    select
        {%- for share in quartile_shares %}
        {{ list_item('quartiles', loop.index) }} as quantile_{{ loop.index }}
        {{- ',' if not loop.last }}
        {%- endfor %}
    from {{ feature }}_quartile_list
),
{%- endfor %}

summaries as (
    {%- for feature in known_segmentation_features() %}
    select
        '{{ feature }}' as feature_name,
        moments.*,
        quartiles.*
    from (
        select
            count(*) as row_count,
            count({{ feature }}) as value_count,
            count(*) - count({{ feature }}) as missing_count,
            cast(min({{ feature }}) as {{ double_type() }}) as min_value,
            cast(max({{ feature }}) as {{ double_type() }}) as max_value,
            cast(avg({{ feature }}) as {{ double_type() }}) as mean_value,
            cast(stddev_samp({{ feature }}) as {{ double_type() }}) as std_value
        from staged_customers
    ) as moments
    cross join {{ feature }}_quartiles as quartiles
    {%- if not loop.last %}

    union all
    {%- endif %}
    {%- endfor %}
),

final as (
    select
        feature_name,
        row_count,
        value_count,
        missing_count,
        min_value,
        cast(quantile_1 as {{ double_type() }}) as first_quartile,
        cast(quantile_2 as {{ double_type() }}) as median_value,
        cast(quantile_3 as {{ double_type() }}) as third_quartile,
        max_value,
        mean_value,
        std_value
    from summaries
)

select * from final
