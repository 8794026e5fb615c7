{#- Bands are defined once, in the customer_bands seed; every model that bands a value
    (persona rules, customer attributes, distributions) joins through this condition.
    A null bound is open. -#}
{% macro in_band(value, bands) -%}
    ({{ bands }}.lower_bound is null or {{ value }} >= {{ bands }}.lower_bound)
    and ({{ bands }}.upper_bound is null or {{ value }} < {{ bands }}.upper_bound)
{%- endmacro %}


{#- The band code of a value as a CASE expression built from the customer_bands seed
    when the model runs: the same definitions as in_band, without a range join per
    customer (which costs seconds at ten million rows). -#}
{% macro band_code_case(dimension, value) -%}
    {%- set bands_relation = ref('customer_bands') -%}
    {%- if not execute or load_relation(bands_relation) is none -%}
        {{ return('cast(null as ' ~ dbt.type_string() ~ ')') }}
    {%- endif -%}
    {%- set bands = run_query(
        'select band_code, lower_bound, upper_bound from ' ~ bands_relation
        ~ ' where band_dimension = ' ~ sql_string_literal(dimension)
        ~ ' order by band_order'
    ).rows -%}
    case
    {%- for band in bands %}
        {%- set conditions = [] %}
        {%- if band[1] is not none %}
            {%- do conditions.append(value ~ ' >= ' ~ float_literal(band[1])) %}
        {%- endif %}
        {%- if band[2] is not none %}
            {%- do conditions.append(value ~ ' < ' ~ float_literal(band[2])) %}
        {%- endif %}
        when {{ conditions | join(' and ') if conditions else value ~ ' is not null' }}
            then {{ sql_string_literal(band[0]) }}
    {%- endfor %}
    end
{%- endmacro %}


{#- Income, spending and age bands (codes and labels) of each centroid in
    `centroids`, a relation or CTE with centroid_annual_income_z,
    centroid_spending_score_z and centroid_age, joined to the customer_bands rows in
    `bands`. Carries `key_column` through. -#}
{% macro centroid_bands(centroids, bands, key_column) -%}
    select
        {{ centroids }}.{{ key_column }},
        income_bands.band_code as income_band,
        spending_bands.band_code as spending_band,
        age_bands.band_code as age_band,
        income_bands.band_label as income_band_label,
        spending_bands.band_label as spending_band_label,
        age_bands.band_label as age_band_label,
        {{ centroids }}.centroid_age
    from {{ centroids }}
    left join {{ bands }} as income_bands
        on income_bands.band_dimension = 'annual_income'
        and {{ in_band(centroids ~ '.centroid_annual_income_z', 'income_bands') }}
    left join {{ bands }} as spending_bands
        on spending_bands.band_dimension = 'spending_score'
        and {{ in_band(centroids ~ '.centroid_spending_score_z', 'spending_bands') }}
    left join {{ bands }} as age_bands
        on age_bands.band_dimension = 'age'
        and {{ in_band(centroids ~ '.centroid_age', 'age_bands') }}
{%- endmacro %}
