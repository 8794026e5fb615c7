{%- set clustering_features = segmentation_features() -%}

with

customers as (
    select * from {{ ref('int_customers_cleaned') }}
),

scaling as (
    {%- for feature in known_segmentation_features() %}
    select
        '{{ feature }}' as feature_name,
        count({{ feature }}) as customer_count,
        cast(avg({{ feature }}) as {{ double_type() }}) as feature_mean,
        cast(stddev_pop({{ feature }}) as {{ double_type() }}) as feature_std,
        cast(min({{ feature }}) as {{ double_type() }}) as feature_min,
        cast(max({{ feature }}) as {{ double_type() }}) as feature_max,
        {{ 'true' if feature in clustering_features else 'false' }}
            as is_clustering_feature
    from customers
    {%- if not loop.last %}

    union all
    {%- endif %}
    {%- endfor %}
)

select * from scaling
