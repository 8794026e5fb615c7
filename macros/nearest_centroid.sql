{#- Nearest-centroid assignment as plain column arithmetic. The k centroids (k is at
    most 50) are read from `centroids_relation` when the model runs and written into
    the SQL as literals, so assigning N customers is one scan: no join with the
    centroids, no sort. Ties go to the lower segment id, as in scikit-learn.

    squared_distances(...) renders one `squared_distance_<id>` column per segment;
    nearest_segment_id(...) and nearest_distance(...) read them. -#}

{% macro selected_centroids(centroids_relation) -%}
    {%- set columns = ['segment_id'] -%}
    {%- for feature in known_segmentation_features() -%}
        {%- do columns.append('centroid_' ~ feature ~ '_z') -%}
    {%- endfor -%}
    {%- if not execute or load_relation(centroids_relation) is none -%}
        {#- Parsing, or compiling before the fit exists: one stand-in centroid. -#}
        {{ return([dict(zip(columns, [1, 0, 0, 0]))]) }}
    {%- endif -%}
    {%- set result = run_query(
        'select ' ~ columns | join(', ') ~ ' from ' ~ centroids_relation
        ~ ' where is_selected_k order by segment_id'
    ) -%}
    {%- set centroids = [] -%}
    {%- for row in result.rows -%}
        {%- do centroids.append(dict(zip(columns, row.values()))) -%}
    {%- endfor -%}
    {%- if centroids | length == 0 -%}
        {{ exceptions.raise_compiler_error(
            "No selected centroids in " ~ centroids_relation ~ ": the fit chose no k."
        ) }}
    {%- endif -%}
    {{ return(centroids) }}
{%- endmacro %}


{% macro float_literal(value) -%}
    {{ return('cast(' ~ '%.17g' | format(value | float) ~ ' as ' ~ double_type() ~ ')') }}
{%- endmacro %}


{% macro squared_distances(centroids, features, z_prefix='') -%}
    {%- for centroid in centroids %}
    {%- for feature in features %}
    power({{ z_prefix }}{{ feature }}_z - {{ float_literal(centroid['centroid_' ~ feature ~ '_z']) }}, 2)
    {{- ' +' if not loop.last }}
    {%- endfor %}
        as squared_distance_{{ centroid.segment_id | int }}{{ ',' if not loop.last }}
    {%- endfor %}
{%- endmacro %}


{% macro nearest_distance(centroids) -%}
    {%- if centroids | length == 1 -%}
        sqrt(squared_distance_{{ centroids[0].segment_id | int }})
    {%- else -%}
        sqrt(least(
            {%- for centroid in centroids %}
            squared_distance_{{ centroid.segment_id | int }}{{ ',' if not loop.last }}
            {%- endfor %}
        ))
    {%- endif -%}
{%- endmacro %}


{% macro nearest_segment_id(centroids) -%}
    case
        {%- for centroid in centroids[:-1] %}
        {%- set here = 'squared_distance_' ~ (centroid.segment_id | int) %}
        {%- set later = centroids[loop.index:] %}
        {%- if later | length == 1 %}
        when {{ here }} <= squared_distance_{{ later[0].segment_id | int }}
            then {{ centroid.segment_id | int }}
        {%- else %}
        when {{ here }} <= least(
            {%- for other in later %}
            squared_distance_{{ other.segment_id | int }}{{ ',' if not loop.last }}
            {%- endfor %}
        ) then {{ centroid.segment_id | int }}
        {%- endif %}
        {%- endfor %}
        else {{ centroids[-1].segment_id | int }}
    end
{%- endmacro %}
