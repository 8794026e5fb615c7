{#- Nearest-centroid assignment as plain column arithmetic. The model's k centroids (k
    is at most 50), their outlier thresholds and its dimensions are read when the model
    runs and written into the SQL as literals, so assigning N customers is one scan: no
    join with the centroids, no sort. Ties go to the lower segment id, as in
    scikit-learn.

    squared_distances(...) renders one `squared_distance_<id>` column per segment;
    nearest_segment_id(...) and nearest_distance(...) read them. -#}

{#- The current model: {'dimensions': [...] (see model_dimensions), 'segments': [{
    segment_id, outlier_distance_threshold, centroid: {dimension_name: value}}]}. At
    parse time, or before any model exists, one stand-in segment at the origin. -#}
{% macro current_model(model_relation) -%}
    {%- set dimensions = model_dimensions(model_relation) -%}
    {%- if not execute or load_relation(model_relation) is none -%}
        {%- set centroid = {} -%}
        {%- for dimension in dimensions -%}
            {%- do centroid.update({dimension.dimension_name: 0}) -%}
        {%- endfor -%}
        {{ return({'dimensions': dimensions, 'segments': [
            {'segment_id': 1, 'outlier_distance_threshold': none, 'centroid': centroid}
        ]}) }}
    {%- endif -%}
    {%- set rows = run_query(
        'select segment_id, outlier_distance_threshold, dimension_name, centroid_value'
        ~ ' from ' ~ model_relation ~ ' order by segment_id, dimension_position'
    ).rows -%}
    {%- set segments = [] -%}
    {%- for segment_id, threshold, dimension_name, value in rows -%}
        {%- if not segments or segments[-1].segment_id != segment_id -%}
            {%- do segments.append({
                'segment_id': segment_id, 'outlier_distance_threshold': threshold,
                'centroid': {},
            }) -%}
        {%- endif -%}
        {%- do segments[-1].centroid.update({dimension_name: value}) -%}
    {%- endfor -%}
    {%- if segments | length == 0 -%}
        {{ exceptions.raise_compiler_error(
            "No segments in " ~ model_relation ~ ": the model registry holds no fit."
        ) }}
    {%- endif -%}
    {{ return({'dimensions': dimensions, 'segments': segments}) }}
{%- endmacro %}


{#- Whether the distance in `distance_column` lies beyond the outlier threshold of the
    segment in `segment_column`; false when the segment has no threshold. -#}
{% macro beyond_outlier_threshold(segments, segment_column, distance_column) -%}
    coalesce({{ distance_column }} > case {{ segment_column }}
        {%- for segment in segments %}
        when {{ segment.segment_id | int }}
            then {{ float_literal(segment.outlier_distance_threshold) }}
        {%- endfor %}
    end, false)
{%- endmacro %}


{#- Each difference is written twice and multiplied rather than squared with power():
    DuckDB evaluates the product far faster, with the same segments. -#}
{% macro squared_distances(segments, dimensions, prefix='') -%}
    {%- for segment in segments %}
    {%- for dimension in dimensions %}
    {%- set difference = prefix ~ dimension.dimension_name ~ ' - '
        ~ float_literal(segment.centroid[dimension.dimension_name]) %}
    ({{ difference }}) * ({{ difference }})
    {{- ' +' if not loop.last }}
    {%- endfor %}
        as squared_distance_{{ segment.segment_id | int }}{% if not loop.last %},{% endif %}
    {%- endfor %}
{%- endmacro %}


{% macro nearest_distance(segments) -%}
    {%- if segments | length == 1 -%}
        sqrt(squared_distance_{{ segments[0].segment_id | int }})
    {%- else -%}
        sqrt(least(
            {%- for segment in segments %}
            squared_distance_{{ segment.segment_id | int }}{% if not loop.last %},{% endif %}
            {%- endfor %}
        ))
    {%- endif -%}
{%- endmacro %}


{% macro nearest_segment_id(segments) -%}
    case
        {%- for segment in segments[:-1] %}
        {%- set here = 'squared_distance_' ~ (segment.segment_id | int) %}
        {%- set later = segments[loop.index:] %}
        {%- if later | length == 1 %}
        when {{ here }} <= squared_distance_{{ later[0].segment_id | int }}
            then {{ segment.segment_id | int }}
        {%- else %}
        when {{ here }} <= least(
            {%- for other in later %}
            squared_distance_{{ other.segment_id | int }}{% if not loop.last %},{% endif %}
            {%- endfor %}
        ) then {{ segment.segment_id | int }}
        {%- endif %}
        {%- endfor %}
        else {{ segments[-1].segment_id | int }}
    end
{%- endmacro %}
