{#- What the fit learns from this build's customers before clustering, one row per
    model dimension: a numeric feature is one dimension (its imputation value, and the
    mean and standard deviation of its transformed, imputed values), a categorical
    feature one dimension per category of its vocabulary. The fitted model version
    stores these rows; scoring applies them (macros/model_space.sql). -#}
{%- set resolved = customer_columns(ref('stg_input__columns')) %}
{%- set features = resolved.columns | selectattr('is_feature') | list %}
{%- set min_share = number_var('category_min_share', 0, 0.5) %}
{#- Medians of real-valued features hold every value: within the memory budget they
    are exact, beyond it those of a repeatable hash sample (quantile_method). Whole
    numbers staging rounds are counted per value, exact at any size. #}
{%- set real_medians = features | selectattr('missing', 'equalto', 'median')
    | selectattr('kind', 'equalto', 'numeric') | rejectattr('round') | list %}
{%- set medians = quantile_method(
    ref('int_customers_cleaned'), real_medians | length, 'customer_id'
) %}

with

customers as {{ not_materialized() }} (
    select * from {{ ref('int_customers_cleaned') }}
),

{%- for feature in features if feature.missing != 'quarantine' %}

{#- The value a missing {{ feature.name }} takes: its {{ feature.missing }} over the
    customers who have one. #}
imputed_{{ feature.name }} as (
    {%- if feature.missing == 'median' and feature.round %}
    select quantile_1 as imputation_value
    from (
        {{ counted_quantiles('customers', feature.name, [0.5]) | indent(8) }}
    ) as counted
    {%- elif feature.missing == 'median' and medians.method == 'approximate' %}
    select {{ approximate_median(feature.name) }} as imputation_value
    from customers
    {%- elif feature.missing == 'median' %}
    select {{ exact_median(feature.name) }} as imputation_value
    from customers
    {%- if medians.method == 'sample' %}
    where {{ medians.condition }}
    {%- endif %}
    {%- elif feature.missing == 'mean' %}
    select avg({{ feature.name }}) as imputation_value
    from customers
    {%- else %}
    select imputation_value
    from (
        select
            {{ feature.name }} as imputation_value,
            row_number() over (order by count(*) desc, {{ feature.name }}) as value_rank
        from customers
        where {{ feature.name }} is not null
        group by {{ feature.name }}
    ) as ranked_values
    where value_rank = 1
    {%- endif %}
),
{%- endfor %}

{%- set numeric_features = features | selectattr('kind', 'equalto', 'numeric') | list %}
{%- if numeric_features %}

numeric_moments as (
    select
        count(*) as customer_count,
        {%- for feature in numeric_features %}
        {%- set imputation = 'imputed_' ~ feature.name ~ '.imputation_value' %}
        {%- set imputed = imputed_value(feature, feature.name, imputation) %}
        {%- set value = transformed_value(imputed, feature.transform) %}
        count({{ feature.name }}) as {{ feature.name }}__present,
        cast(avg({{ value }}) as {{ double_type() }}) as {{ feature.name }}__mean,
        cast(stddev_pop({{ value }}) as {{ double_type() }}) as {{ feature.name }}__std
        {%- if not loop.last %},{% endif %}
        {%- endfor %}
    from customers
    {%- for feature in numeric_features if feature.missing != 'quarantine' %}
    cross join imputed_{{ feature.name }}
    {%- endfor %}
),
{%- endif %}

{%- for feature in features if feature.kind == 'categorical' %}

{#- The vocabulary: categories held by at least category_min_share of the customers,
    most frequent first (at most 50). Rarer values, and values unseen at fit time,
    get no indicator. #}
vocabulary_{{ feature.name }} as (
    select
        category,
        category_count,
        category_share,
        category_rank
    from (
        select
            category,
            count(*) as category_count,
            cast(count(*) as {{ double_type() }}) / sum(count(*)) over () as category_share,
            row_number() over (order by count(*) desc, category) as category_rank
        from (
            select
                {{ imputed_value(
                    feature, feature.name, 'imputed_' ~ feature.name ~ '.imputation_value'
                ) }} as category
            from customers
            {%- if feature.missing != 'quarantine' %}
            cross join imputed_{{ feature.name }}
            {%- endif %}
        ) as categories
        group by category
    ) as counted
    where category_share >= {{ min_share }}
        and category_rank <= 50
),
{%- endfor %}

dimensions as (
    {%- for feature in features %}
    {%- set position = loop.index %}
    {%- set imputation = 'imputed_' ~ feature.name ~ '.imputation_value'
        if feature.missing != 'quarantine' else 'null' %}
    {%- if not loop.first %}

    union all
    {%- endif %}

    select
        {{ position }} as feature_position,
        {%- if feature.kind == 'numeric' %}
        0 as category_rank,
        {{ sql_string_literal(feature.name ~ '_z') }} as dimension_name,
        {%- else %}
        vocabulary_{{ feature.name }}.category_rank,
        {{ sql_string_literal(feature.name ~ '__') }}
            || cast(vocabulary_{{ feature.name }}.category_rank as {{ dbt.type_string() }})
            as dimension_name,
        {%- endif %}
        {{ sql_string_literal(feature.name) }} as feature_name,
        {{ sql_string_literal(feature.kind) }} as feature_kind,
        {%- if feature.kind == 'numeric' %}
        cast(null as {{ dbt.type_string() }}) as category,
        {%- else %}
        vocabulary_{{ feature.name }}.category,
        {%- endif %}
        {{ sql_string_literal(feature.transform) }} as transform,
        {{ sql_string_literal(feature.missing) }} as missing_policy,
        {%- if feature.kind == 'numeric' %}
        cast({{ imputation }} as {{ double_type() }}) as imputation_value,
        cast(null as {{ dbt.type_string() }}) as imputation_category,
        numeric_moments.{{ feature.name }}__mean as feature_mean,
        numeric_moments.{{ feature.name }}__std as feature_std,
        cast(null as {{ double_type() }}) as category_share,
        numeric_moments.customer_count - numeric_moments.{{ feature.name }}__present
            as missing_count,
        numeric_moments.customer_count,
        {%- else %}
        cast(null as {{ double_type() }}) as imputation_value,
        cast({{ imputation }} as {{ dbt.type_string() }}) as imputation_category,
        cast(null as {{ double_type() }}) as feature_mean,
        cast(null as {{ double_type() }}) as feature_std,
        vocabulary_{{ feature.name }}.category_share,
        cast(null as {{ dbt.type_bigint() }}) as missing_count,
        cast(null as {{ dbt.type_bigint() }}) as customer_count,
        {%- endif %}
        {{ float_literal(feature.weight) }} as weight,
        {{ text_literal(feature.unit) }} as unit,
        {{ text_literal(feature.header) }} as input_header,
        {{ text_literal(feature.column) }} as configured_column,
        {{ float_literal(feature.min) }} as min_value,
        {{ float_literal(feature.max) }} as max_value
    {%- if feature.kind == 'numeric' %}
    from numeric_moments
    {%- else %}
    from vocabulary_{{ feature.name }}
    {%- endif %}
    {%- if feature.missing != 'quarantine' %}
    cross join imputed_{{ feature.name }}
    {%- endif %}
    {%- endfor %}
),

final as (
    select
        cast(
            row_number() over (order by feature_position, category_rank)
            as {{ dbt.type_int() }}
        ) as dimension_position,
        dimension_name,
        feature_name,
        feature_kind,
        category,
        transform,
        missing_policy,
        imputation_category,
        unit,
        input_header,
        configured_column,
        {{ sql_string_literal(feature_signature(features)) }} as feature_signature,
        feature_position,
        imputation_value,
        feature_mean,
        feature_std,
        weight,
        {#- The multiplier of a dimension in the model space: weight / std for a numeric
            feature (a weighted z-score); weight / sqrt(2) for a category's indicator,
            so that two customers of different categories lie `weight` apart, as two
            customers one standard deviation apart on a numeric feature of that weight.
            A constant feature has none (the build fails on it before fitting). #}
        case
            when feature_kind = 'numeric' then weight / nullif(feature_std, 0)
            else weight / sqrt(2.0)
        end as dimension_scale,
        min_value,
        max_value,
        category_share,
        missing_count,
        customer_count
    from dimensions
)

select * from final
