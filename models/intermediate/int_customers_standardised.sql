with

customers as (
    select * from {{ ref('int_customers_cleaned') }}
),

scaling as (
    select * from {{ ref('segment_feature_scaling') }}
),

scaling_by_feature as (
    {{ feature_scaling_in_one_row('scaling') }}
),

standardised as (
    select
        customers.*,
        {%- for feature in known_segmentation_features() %}
        {#- A feature with no spread carries no information: z = 0, not a division
            by zero. #}
        coalesce(
            (customers.{{ feature }} - scaling_by_feature.{{ feature }}_mean)
            / nullif(scaling_by_feature.{{ feature }}_std, 0),
            0
        ) as {{ feature }}_z{{ ',' if not loop.last }}
        {%- endfor %}
    from customers
    cross join scaling_by_feature
)

select * from standardised
