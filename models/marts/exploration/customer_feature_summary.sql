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
        {{ quartile_list(feature) }} as quartiles,
        cast(max({{ feature }}) as {{ double_type() }}) as max_value,
        cast(avg({{ feature }}) as {{ double_type() }}) as mean_value,
        cast(stddev_samp({{ feature }}) as {{ double_type() }}) as std_value
    from staged_customers
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
        cast({{ list_item('quartiles', 1) }} as {{ double_type() }}) as first_quartile,
        cast({{ list_item('quartiles', 2) }} as {{ double_type() }}) as median_value,
        cast({{ list_item('quartiles', 3) }} as {{ double_type() }}) as third_quartile,
        max_value,
        mean_value,
        std_value
    from summaries
)

select * from final
