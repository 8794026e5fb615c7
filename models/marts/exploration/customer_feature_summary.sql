{#- Describes the loaded data, bad rows included: values that did not parse count as
    missing. Mirrors pandas' describe() (sample standard deviation). -#}

with

staged_customers as (
    select * from {{ ref('stg_mall__customers') }}
),

summaries as (
    {%- for feature in known_segmentation_features() %}
    select
        '{{ feature }}' as feature_name,
        count(*) as row_count,
        count({{ feature }}) as value_count,
        count(*) - count({{ feature }}) as missing_count,
        cast(min({{ feature }}) as {{ double_type() }}) as min_value,
        percentile_cont(0.25) within group (order by {{ feature }}) as first_quartile,
        percentile_cont(0.5) within group (order by {{ feature }}) as median_value,
        percentile_cont(0.75) within group (order by {{ feature }}) as third_quartile,
        cast(max({{ feature }}) as {{ double_type() }}) as max_value,
        cast(avg({{ feature }}) as {{ double_type() }}) as mean_value,
        cast(stddev_samp({{ feature }}) as {{ double_type() }}) as std_value
    from staged_customers
    {%- if not loop.last %}

    union all
    {%- endif %}
    {%- endfor %}
)

select * from summaries
