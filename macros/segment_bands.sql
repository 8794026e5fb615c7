{#- Bands of a segment's centroid, the vocabulary persona and campaign rules are written
    in. For a numeric feature, the band (customer_bands seed) its centroid's z-score
    falls in: the model-space value divided by the feature's weight, so bands read in
    standard deviations of the transformed values. For a categorical feature, its most
    frequent category among the segment's members (the largest indicator; ties to the
    most frequent category overall), the band being the category itself. -#}
{% macro centroid_feature_bands(centroids, bands, key_column) -%}
    {#- `centroids`: one row per segment (key_column) and model dimension, with
        feature_name, feature_kind, category, centroid_value, weight, dimension_scale,
        dimension_position, category_share (the category's share of all customers). -#}
    select
        numeric_centroids.{{ key_column }},
        numeric_centroids.feature_name,
        numeric_centroids.feature_kind,
        numeric_centroids.dimension_position,
        bands.band_code,
        bands.band_label,
        numeric_centroids.centroid_value / numeric_centroids.weight as centroid_z,
        cast(null as {{ double_type() }}) as category_share,
        cast(null as {{ double_type() }}) as population_share,
        coalesce({{ in_band('0', 'bands') }}, false) as is_average_band
    from {{ centroids }} as numeric_centroids
    left join {{ bands }} as bands
        on {{ in_band('numeric_centroids.centroid_value / numeric_centroids.weight', 'bands') }}
    where numeric_centroids.feature_kind = 'numeric'

    union all

    select
        {{ key_column }},
        feature_name,
        feature_kind,
        dimension_position,
        category as band_code,
        category as band_label,
        cast(null as {{ double_type() }}) as centroid_z,
        centroid_value / dimension_scale as category_share,
        category_share as population_share,
        false as is_average_band
    from (
        select
            *,
            row_number() over (
                partition by {{ key_column }}, feature_name
                order by centroid_value desc, dimension_position
            ) as category_order
        from {{ centroids }}
        where feature_kind = 'categorical'
    ) as ranked_categories
    where category_order = 1
{%- endmacro %}


{#- Bands are defined once, in the customer_bands seed; a null bound is open. -#}
{% macro in_band(value, bands) -%}
    ({{ bands }}.lower_bound is null or {{ value }} >= {{ bands }}.lower_bound)
    and ({{ bands }}.upper_bound is null or {{ value }} < {{ bands }}.upper_bound)
{%- endmacro %}


{#- The conditions of a rule seed (persona_definitions, campaign_strategies): up to
    three (feature_<n>, band_<n>) pairs per rule, one row per condition. -#}
{% macro rule_conditions(rules, key_column) -%}
    {%- for position in [1, 2, 3] %}
    select
        {{ key_column }},
        feature_{{ position }} as feature_name,
        band_{{ position }} as band_code
    from {{ rules }}
    where feature_{{ position }} is not null
    {%- if not loop.last %}

    union all
    {%- endif %}
    {%- endfor %}
{%- endmacro %}


{#- The rules of `rules` whose every condition holds for a segment of `segment_bands`
    (rows from centroid_feature_bands), with how many conditions each has: a rule
    naming a feature the model does not have never holds. -#}
{% macro matching_rules(rules, key_column, segment_bands, segment_key) -%}
    select
        matched.{{ segment_key }},
        matched.{{ key_column }},
        rule_sizes.condition_count
    from (
        select
            segment_bands.{{ segment_key }},
            conditions.{{ key_column }},
            count(*) as matched_count
        from ({{ rule_conditions(rules, key_column) | indent(12) }}
        ) as conditions
        inner join {{ segment_bands }} as segment_bands
            on conditions.feature_name = segment_bands.feature_name
            and conditions.band_code = segment_bands.band_code
        group by segment_bands.{{ segment_key }}, conditions.{{ key_column }}
    ) as matched
    inner join (
        select
            {{ key_column }},
            count(*) as condition_count
        from ({{ rule_conditions(rules, key_column) | indent(12) }}
        ) as conditions
        group by {{ key_column }}
    ) as rule_sizes
        on matched.{{ key_column }} = rule_sizes.{{ key_column }}
    where matched.matched_count = rule_sizes.condition_count
{%- endmacro %}
