{#- The persisted model: every fit is appended to segment_model_registry as a model
    version (int_segment_models_registered); a build with `refit: false` fits nothing
    and scores customers with the latest version, on the features it was fitted on
    (see docs/lifecycle.md). -#}

{% macro refit_enabled() -%}
    {%- set value = var('refit') -%}
    {%- if value is not sameas true and value is not sameas false -%}
        {{ exceptions.raise_compiler_error(
            "var refit must be true or false, got '" ~ value ~ "'"
        ) }}
    {%- endif -%}
    {{ return(value) }}
{%- endmacro %}


{#- Fails with a message a user can act on when scoring is asked for before any model
    has been persisted. -#}
{% macro require_persisted_model(relation) -%}
    {%- if execute and load_relation(relation) is none -%}
        {{ exceptions.raise_compiler_error(
            "refit: false scores customers with the latest persisted model, but "
            ~ relation ~ " does not exist yet: run one build with refit: true (the "
            ~ "default) first."
        ) }}
    {%- endif -%}
{%- endmacro %}


{#- A timestamp literal for the start of this dbt invocation: the same on every model
    of a build, so rows written by one build can be matched up. -#}
{% macro build_started_at() -%}
    cast('{{ run_started_at.strftime("%Y-%m-%d %H:%M:%S.%f") }}' as {{ dbt.type_timestamp() }})
{%- endmacro %}


{#- The features of the latest persisted model version, as configured when it was
    fitted (column, kind, transform, missing policy, range, weight, unit), normalised
    like the var; none when no model exists yet. The registry is found by name, not
    ref: it is built downstream of the models that ask. -#}
{% macro stored_feature_spec() -%}
    {%- if not execute -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set registry = adapter.get_relation(
        database=target.database, schema=target.schema,
        identifier='int_segment_models_registered'
    ) -%}
    {%- if registry is none -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set rows = run_query(
        'select configured_column, feature_kind, transform, missing_policy, min_value,'
        ~ ' max_value, weight, unit, min(dimension_position) as position from ' ~ registry
        ~ ' where model_version = (select max(model_version) from ' ~ registry ~ ')'
        ~ ' group by configured_column, feature_kind, transform, missing_policy,'
        ~ ' min_value, max_value, weight, unit order by position'
    ).rows -%}
    {%- if rows | length == 0 -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set features = [] -%}
    {%- for column, kind, transform, missing, minimum, maximum, weight, unit, position in rows -%}
        {%- set item = {
            'column': column, 'kind': kind, 'transform': transform, 'missing': missing,
            'min': minimum, 'max': maximum, 'weight': weight,
        } -%}
        {%- if unit is not none -%}
            {%- do item.update({'unit': unit}) -%}
        {%- endif -%}
        {%- do features.append(normalised_feature(item)) -%}
    {%- endfor -%}
    {{ return(features) }}
{%- endmacro %}


{#- How customer_segment_history writes a build's changes (see the model). DuckDB:
    merge on (customer_id, valid_from) among the open rows, closing each matched open
    row in place (valid_to set) and inserting the rest. Not delete+insert: DuckDB
    holds delete markers in memory for every 2,048-row vector a delete touches, so
    deleting movers scattered over a large history needs memory in proportion to the
    whole table (beyond the build's cap at a hundred million customers), while an
    update of one column spills. Spark (plain Parquet has no row-level strategy):
    partitions by valid_to, the open rows' partition rewritten whole each build and
    the rows closed at this build in a new one. With Delta, `merge` on the same key
    would replace the partition rewrite. Other engines: delete+insert. -#}
{% macro history_write_config() -%}
    {{ return(adapter.dispatch('history_write_config', 'customer_segmentation')()) }}
{%- endmacro %}

{% macro default__history_write_config() -%}
    {{ return({
        'incremental_strategy': 'delete+insert',
        'unique_key': ['customer_id', 'valid_from'],
        'incremental_predicates': ['DBT_INCREMENTAL_TARGET.valid_to is null'],
    }) }}
{%- endmacro %}

{% macro duckdb__history_write_config() -%}
    {{ return({
        'incremental_strategy': 'merge',
        'unique_key': ['customer_id', 'valid_from'],
        'incremental_predicates': ['DBT_INTERNAL_DEST.valid_to is null'],
        'merge_update_columns': ['valid_to'],
    }) }}
{%- endmacro %}

{% macro spark__history_write_config() -%}
    {{ return({'incremental_strategy': 'insert_overwrite', 'partition_by': ['valid_to']}) }}
{%- endmacro %}
