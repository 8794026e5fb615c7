{#- How each segment differs from all customers on every feature and profile column,
    in long form, so that any configuration charts without a schema change: one row
    per segment and numeric column (mean and median against the population), and per
    segment, text column and category (its share against the population's). A text
    column keeps its ten most frequent values; the rest are counted as (other), and
    missing values as (missing). -#}
{%- set resolved = customer_columns(ref('stg_input__columns')) %}
{%- set numeric_columns = resolved.columns | selectattr('kind', 'equalto', 'numeric') | list %}
{%- set text_columns = resolved.columns | rejectattr('kind', 'equalto', 'numeric') | list %}
{%- set real_columns = numeric_columns | rejectattr('round') | list %}
{%- set medians = quantile_method(ref('customer_segments'), real_columns | length, 'customer_id') %}
{%- set median_aggregate = (
    approximate_median if medians.method == 'approximate' else exact_median
) %}
{%- set top_value_count = 10 %}

with

customer_segments as (
    select * from {{ ref('customer_segments') }}
),

personas as (
    select * from {{ ref('int_segment_personas') }}
),

configured_columns as (
    select * from {{ ref('stg_input__columns') }}
),

{#- One scan for every numeric column's moments and medians; whole-number columns
    (age, spending score) take their medians from a count per value instead, which
    holds a few hundred values instead of every customer's. Other medians are exact
    while the values fit the memory budget, beyond it those of a repeatable sample,
    filtered within the same scan (quantile_method). #}
segment_stats as (
    select
        segment_id,
        {%- for column in numeric_columns %}
        count({{ column.name }}) as {{ column.name }}__count,
        cast(avg({{ column.name }}) as {{ double_type() }}) as {{ column.name }}__mean,
        cast(var_pop({{ column.name }}) as {{ double_type() }}) as {{ column.name }}__variance,
        {%- endfor %}
        {%- for column in real_columns %}
        cast(
            {{ median_aggregate(column.name) }}{{ medians.filter }} as {{ double_type() }}
        ) as {{ column.name }}__median,
        {%- endfor %}
        count(*) as customer_count
    from customer_segments
    group by segment_id
),

{%- for column in numeric_columns if column.round %}

{{ column.name }}__medians as (
    {{ counted_quantiles('customer_segments', column.name, [0.5], partition_by='segment_id')
        | indent(4) }}
),
{%- endfor %}

{#- Every numeric column's median, counted or aggregated, beside the moments. #}
segment_stats_with_medians as (
    select
        {%- for column in numeric_columns if column.round %}
        {{ column.name }}__medians.quantile_1 as {{ column.name }}__median,
        {%- endfor %}
        segment_stats.*
    {#- SQLFluff misreads the indentation of joins that a loop repeats (its issue 5290). #}
    from segment_stats  -- noqa: disable=LT02
    {%- for column in numeric_columns if column.round %}
    left join {{ column.name }}__medians
        on segment_stats.segment_id = {{ column.name }}__medians.segment_id
    {%- endfor %}
    -- noqa: enable=LT02
),

numeric_profiles as (
    {%- for column in numeric_columns %}
    select
        segment_id,
        {{ sql_string_literal(column.name) }} as feature_name,
        {{ column.name }}__count as value_count,
        {{ column.name }}__mean as mean_value,
        {{ column.name }}__variance as variance_value,
        {{ 'true' if medians.method == 'exact' or column.round else 'false' }} as is_exact_median,
        cast({{ column.name }}__median as {{ double_type() }}) as median_value
    from segment_stats_with_medians

    union all
    {%- endfor %}

    {#- Keeps the union well formed when there is no numeric column. #}
    select
        cast(null as {{ dbt.type_bigint() }}) as segment_id,
        cast(null as {{ dbt.type_string() }}) as feature_name,
        cast(null as {{ dbt.type_bigint() }}) as value_count,
        cast(null as {{ double_type() }}) as mean_value,
        cast(null as {{ double_type() }}) as variance_value,
        false as is_exact_median,
        cast(null as {{ double_type() }}) as median_value
    from segment_stats
    where 1 = 0
),

{#- The population's mean and spread, combined exactly from the segments' counts,
    means and variances (total variance = mean within-segment variance + variance of
    the segment means): no second pass over every customer. #}
population_means as (
    select
        feature_name,
        sum(value_count * mean_value) / nullif(sum(value_count), 0) as population_mean
    from numeric_profiles
    group by feature_name
),

population_spreads as (
    select
        numeric_profiles.feature_name,
        population_means.population_mean,
        sqrt(
            sum(
                numeric_profiles.value_count * (
                    numeric_profiles.variance_value
                    + (numeric_profiles.mean_value - population_means.population_mean)
                    * (numeric_profiles.mean_value - population_means.population_mean)
                )
            ) / nullif(sum(numeric_profiles.value_count), 0)
        ) as population_std
    from numeric_profiles
    inner join population_means
        on numeric_profiles.feature_name = population_means.feature_name
    group by numeric_profiles.feature_name, population_means.population_mean
),

text_counts as (
    {%- for column in text_columns %}
    select
        segment_id,
        {{ sql_string_literal(column.name) }} as feature_name,
        cast({{ column.name }} as {{ dbt.type_string() }}) as category,
        count(*) as category_count
    from customer_segments
    group by segment_id, {{ column.name }}

    union all
    {%- endfor %}

    select
        cast(null as {{ dbt.type_bigint() }}) as segment_id,
        cast(null as {{ dbt.type_string() }}) as feature_name,
        cast(null as {{ dbt.type_string() }}) as category,
        cast(null as {{ dbt.type_bigint() }}) as category_count
    from segment_stats
    where 1 = 0
),

ranked_categories as (
    select
        feature_name,
        category,
        row_number() over (
            partition by feature_name
            order by sum(category_count) desc, category
        ) as category_rank
    from text_counts
    where category is not null
    group by feature_name, category
),

labelled_counts as (
    select
        text_counts.segment_id,
        text_counts.feature_name,
        case
            when text_counts.category is null then '(missing)'
            when ranked_categories.category_rank <= {{ top_value_count }}
                then text_counts.category
            else '(other)'
        end as category,
        text_counts.category_count
    from text_counts
    left join ranked_categories
        on text_counts.feature_name = ranked_categories.feature_name
        and text_counts.category = ranked_categories.category
),

grouped_counts as (
    select
        segment_id,
        feature_name,
        category,
        sum(category_count) as category_count
    from labelled_counts
    group by segment_id, feature_name, category
),

population_counts as (
    select
        feature_name,
        category,
        sum(category_count) as population_count
    from grouped_counts
    group by feature_name, category
),

{#- Every category in every segment, zero counts included. #}
category_scaffold as (
    select
        segment_stats.segment_id,
        segment_stats.customer_count,
        population_counts.feature_name,
        population_counts.category,
        population_counts.population_count
    from segment_stats
    cross join population_counts
),

category_profiles as (
    select
        category_scaffold.segment_id,
        category_scaffold.feature_name,
        category_scaffold.category,
        coalesce(grouped_counts.category_count, 0) as value_count,
        cast(coalesce(grouped_counts.category_count, 0) as {{ double_type() }})
        / category_scaffold.customer_count as category_share,
        cast(category_scaffold.population_count as {{ double_type() }})
        / sum(category_scaffold.customer_count) over (
            partition by category_scaffold.feature_name, category_scaffold.category
        ) as population_share
    from category_scaffold
    left join grouped_counts
        on category_scaffold.segment_id = grouped_counts.segment_id
        and category_scaffold.feature_name = grouped_counts.feature_name
        and category_scaffold.category = grouped_counts.category
),

profiles as (
    select
        numeric_profiles.segment_id,
        numeric_profiles.feature_name,
        cast(null as {{ dbt.type_string() }}) as category,
        numeric_profiles.value_count,
        numeric_profiles.mean_value,
        numeric_profiles.median_value,
        numeric_profiles.is_exact_median,
        population_spreads.population_mean,
        coalesce(
            (numeric_profiles.mean_value - population_spreads.population_mean)
            / nullif(population_spreads.population_std, 0),
            0
        ) as std_difference,
        cast(null as {{ double_type() }}) as category_share,
        cast(null as {{ double_type() }}) as population_share
    from numeric_profiles
    inner join population_spreads
        on numeric_profiles.feature_name = population_spreads.feature_name

    union all

    select
        segment_id,
        feature_name,
        category,
        value_count,
        cast(null as {{ double_type() }}) as mean_value,
        cast(null as {{ double_type() }}) as median_value,
        cast(null as boolean) as is_exact_median,
        cast(null as {{ double_type() }}) as population_mean,
        cast(null as {{ double_type() }}) as std_difference,
        category_share,
        population_share
    from category_profiles
),

final as (
    select
        profiles.segment_id,
        profiles.feature_name,
        profiles.category,
        personas.segment_name,
        configured_columns.value_kind as feature_kind,
        configured_columns.unit,
        cast(configured_columns.column_position as {{ dbt.type_int() }}) as feature_position,
        cast(profiles.value_count as {{ dbt.type_bigint() }}) as value_count,
        profiles.mean_value,
        profiles.median_value,
        profiles.population_mean,
        profiles.std_difference,
        profiles.category_share,
        profiles.population_share,
        profiles.category_share - profiles.population_share as share_difference,
        configured_columns.column_role = 'feature' as is_clustering_feature,
        profiles.is_exact_median
    from profiles
    inner join personas
        on profiles.segment_id = personas.segment_id
    inner join configured_columns
        on profiles.feature_name = configured_columns.column_name
)

select * from final
