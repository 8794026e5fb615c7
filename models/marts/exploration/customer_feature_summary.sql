{#- Describes the loaded data, bad rows included, one row per configured numeric
    column: values that did not parse count as missing. Mirrors pandas' describe()
    (sample standard deviation; quartiles interpolated linearly between the two nearest
    values). Whole-number columns staging rounds (age, spending score) take their
    quartiles from a count per value; others from a percentile aggregate. -#}
{%- set resolved = customer_columns(ref('stg_input__columns')) %}
{%- set numeric_columns = resolved.columns | selectattr('kind', 'equalto', 'numeric') | list %}
{%- set quartile_shares = [0.25, 0.5, 0.75] %}

with

staged_customers as (
    select * from {{ ref('stg_input__customers') }}
),

{%- for column in numeric_columns %}

{%- if column.round %}

{{ column.name }}__quartiles as (
    {{ counted_quantiles('staged_customers', column.name, quartile_shares) | indent(4) }}
),
{%- else %}

{{ column.name }}__quartile_list as (
    select {{ quartile_list(column.name) }} as quartiles
    from staged_customers
),

{{ column.name }}__quartiles as (
    select
        {%- for share in quartile_shares %}
        {{ list_item('quartiles', loop.index) }} as quantile_{{ loop.index }}
        {{- ',' if not loop.last }}
        {%- endfor %}
    from {{ column.name }}__quartile_list
),
{%- endif %}
{%- endfor %}

summaries as (
    {%- for column in numeric_columns %}
    select
        {{ sql_string_literal(column.name) }} as feature_name,
        moments.*,
        quartiles.*
    from (
        select
            count(*) as row_count,
            count({{ column.name }}) as value_count,
            count(*) - count({{ column.name }}) as missing_count,
            cast(min({{ column.name }}) as {{ double_type() }}) as min_value,
            cast(max({{ column.name }}) as {{ double_type() }}) as max_value,
            cast(avg({{ column.name }}) as {{ double_type() }}) as mean_value,
            cast(stddev_samp({{ column.name }}) as {{ double_type() }}) as std_value
        from staged_customers
    ) as moments
    cross join {{ column.name }}__quartiles as quartiles

    union all
    {%- endfor %}

    {#- Keeps the union well formed when no column is numeric. #}
    select
        cast(null as {{ dbt.type_string() }}) as feature_name,
        cast(null as {{ dbt.type_bigint() }}) as row_count,
        cast(null as {{ dbt.type_bigint() }}) as value_count,
        cast(null as {{ dbt.type_bigint() }}) as missing_count,
        cast(null as {{ double_type() }}) as min_value,
        cast(null as {{ double_type() }}) as max_value,
        cast(null as {{ double_type() }}) as mean_value,
        cast(null as {{ double_type() }}) as std_value,
        cast(null as {{ double_type() }}) as quantile_1,
        cast(null as {{ double_type() }}) as quantile_2,
        cast(null as {{ double_type() }}) as quantile_3
    from staged_customers
    where 1 = 0
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
