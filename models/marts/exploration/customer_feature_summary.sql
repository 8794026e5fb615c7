{#- Describes the loaded data, bad rows included, one row per configured numeric
    column: values that did not parse count as missing. Mirrors pandas' describe()
    (sample standard deviation; quartiles interpolated linearly between the two nearest
    values). One scan gives every column's moments and, for real-valued columns, its
    quartiles: exact while the values fit the memory budget, beyond it those of a
    repeatable sample, filtered within the same scan (quantile_method;
    is_exact_quartiles says which). Whole-number columns staging rounds (age, spending
    score) take exact quartiles from a count per value. -#}
{%- set resolved = customer_columns(ref('stg_input__columns')) %}
{%- set numeric_columns = resolved.columns | selectattr('kind', 'equalto', 'numeric') | list %}
{%- set real_columns = numeric_columns | rejectattr('round') | list %}
{%- set quantiles = quantile_method(
    ref('stg_input__customers'), real_columns | length, 'input_row_number'
) %}
{%- set quartile_shares = [0.25, 0.5, 0.75] %}
{%- set quartile_aggregate = (
    approximate_quartile_list if quantiles.method == 'approximate' else quartile_list
) %}

with

staged_customers as (
    select * from {{ ref('stg_input__customers') }}
),

moments as (
    select
        {%- for column in numeric_columns %}
        count({{ column.name }}) as {{ column.name }}__count,
        cast(min({{ column.name }}) as {{ double_type() }}) as {{ column.name }}__min,
        cast(max({{ column.name }}) as {{ double_type() }}) as {{ column.name }}__max,
        cast(avg({{ column.name }}) as {{ double_type() }}) as {{ column.name }}__mean,
        cast(stddev_samp({{ column.name }}) as {{ double_type() }}) as {{ column.name }}__std,
        {%- endfor %}
        {%- for column in real_columns %}
        {{ quartile_aggregate(column.name) }}{{ quantiles.filter }} as {{ column.name }}__quartiles,
        {%- endfor %}
        count(*) as row_count
    from staged_customers
),

{%- for column in numeric_columns if column.round %}

{{ column.name }}__counted as (
    {{ counted_quantiles('staged_customers', column.name, quartile_shares) | indent(4) }}
),
{%- endfor %}

summaries as (
    {%- for column in numeric_columns %}
    select
        {{ sql_string_literal(column.name) }} as feature_name,
        moments.row_count,
        moments.{{ column.name }}__count as value_count,
        moments.{{ column.name }}__min as min_value,
        moments.{{ column.name }}__max as max_value,
        moments.{{ column.name }}__mean as mean_value,
        moments.{{ column.name }}__std as std_value,
        {%- for share in quartile_shares %}
        {%- if column.round %}
        cast({{ column.name }}__counted.quantile_{{ loop.index }} as {{ double_type() }})
        {%- else %}
        cast(
            {{ list_item('moments.' ~ column.name ~ '__quartiles', loop.index) }}
            as {{ double_type() }}
        )
        {%- endif %} as quantile_{{ loop.index }},
        {%- endfor %}
        {{ 'true' if quantiles.method == 'exact' or column.round else 'false' }}
            as is_exact_quartiles
    from moments{% if column.round %} cross join {{ column.name }}__counted{% endif %}

    union all
    {%- endfor %}

    {#- Keeps the union well formed when no column is numeric. #}
    select
        cast(null as {{ dbt.type_string() }}) as feature_name,
        cast(null as {{ dbt.type_bigint() }}) as row_count,
        cast(null as {{ dbt.type_bigint() }}) as value_count,
        cast(null as {{ double_type() }}) as min_value,
        cast(null as {{ double_type() }}) as max_value,
        cast(null as {{ double_type() }}) as mean_value,
        cast(null as {{ double_type() }}) as std_value,
        cast(null as {{ double_type() }}) as quantile_1,
        cast(null as {{ double_type() }}) as quantile_2,
        cast(null as {{ double_type() }}) as quantile_3,
        false as is_exact_quartiles
    from moments
    where 1 = 0
),

final as (
    select
        feature_name,
        row_count,
        value_count,
        row_count - value_count as missing_count,
        min_value,
        quantile_1 as first_quartile,
        quantile_2 as median_value,
        quantile_3 as third_quartile,
        max_value,
        mean_value,
        std_value,
        is_exact_quartiles
    from summaries
)

select * from final
