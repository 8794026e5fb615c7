{#- One row holding <feature>_mean and <feature>_std for every known feature, from a
    relation shaped like segment_feature_scaling (one row per feature). -#}
{% macro feature_scaling_in_one_row(scaling_relation) -%}
    select
        {%- for feature in known_segmentation_features() %}
        max(case when feature_name = '{{ feature }}' then feature_mean end)
            as {{ feature }}_mean,
        max(case when feature_name = '{{ feature }}' then feature_std end)
            as {{ feature }}_std{{ ',' if not loop.last }}
        {%- endfor %}
    from {{ scaling_relation }}
{%- endmacro %}
