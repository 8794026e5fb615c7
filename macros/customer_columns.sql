{#- The configured columns as resolved against the input (the stg_input__columns
    model), for every model after staging: {'id': {...}, 'columns': [...]}, each column
    a dict of its rules (see normalised_feature) plus `expression` (its quoted input
    header), `header` and `input_kind`. At parse time the configured names stand in. -#}
{% macro customer_columns(columns_relation) -%}
    {%- if not execute or load_relation(columns_relation) is none -%}
        {%- set features = segmentation_features() -%}
        {{ return(stand_in_customer_columns(features, profile_columns(features))) }}
    {%- endif -%}
    {%- set fields = column_spec_fields() -%}
    {%- set rows = run_query(
        'select ' ~ fields | join(', ') ~ ' from ' ~ columns_relation
        ~ ' order by column_position'
    ).rows -%}
    {%- set resolved = {'id': none, 'columns': []} -%}
    {%- for row in rows -%}
        {%- set stored = dict(zip(fields, row.values())) -%}
        {%- if stored.column_role == 'customer_id' -%}
            {%- do resolved.update({'id': {
                'mode': stored.id_mode,
                'type': stored.value_kind,
                'header': stored.input_header,
                'input_kind': stored.input_kind,
                'expression': quoted_identifier(stored.input_header)
                    if stored.input_header is not none else none,
            }}) -%}
        {%- else -%}
            {%- do resolved.columns.append({
                'name': stored.column_name,
                'column': stored.configured_column,
                'header': stored.input_header,
                'expression': quoted_identifier(stored.input_header),
                'input_kind': stored.input_kind,
                'kind': stored.value_kind,
                'is_feature': stored.column_role == 'feature',
                'transform': stored.transform,
                'missing': stored.missing_policy,
                'min': stored.min_value,
                'max': stored.max_value,
                'weight': stored.weight,
                'unit': stored.unit,
                'label': stored.column_name.replace('_', ' '),
                'round': stored.is_rounded,
                'normalise': stored.normalisation,
                'required': stored.is_required,
                'range_phrase': stored.range_phrase,
            }) -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(resolved) }}
{%- endmacro %}


{% macro column_spec_fields() -%}
    {{ return([
        'column_position', 'column_role', 'column_name', 'input_header', 'input_kind',
        'value_kind', 'id_mode', 'configured_column', 'transform', 'missing_policy',
        'min_value', 'max_value', 'weight', 'unit', 'is_rounded', 'normalisation',
        'is_required', 'range_phrase',
    ]) }}
{%- endmacro %}


{#- One row of stg_input__columns, every value a literal. -#}
{% macro column_spec_row(
    position, role, name, header, input_kind, value_kind, id_mode, column={}
) -%}
    {%- set text = dbt.type_string() -%}
    select
        {{ position }} as column_position,
        {{ text_literal(role) }} as column_role,
        {{ text_literal(name) }} as column_name,
        {{ text_literal(header) }} as input_header,
        {{ text_literal(input_kind) }} as input_kind,
        {{ text_literal(value_kind) }} as value_kind,
        {{ text_literal(id_mode) }} as id_mode,
        {{ text_literal(column.get('column')) }} as configured_column,
        {{ text_literal(column.get('transform')) }} as transform,
        {{ text_literal(column.get('missing')) }} as missing_policy,
        {{ float_literal(column.get('min')) }} as min_value,
        {{ float_literal(column.get('max')) }} as max_value,
        {{ float_literal(column.get('weight')) }} as weight,
        {{ text_literal(column.get('unit')) }} as unit,
        {{ 'true' if column.get('round') else 'false' }} as is_rounded,
        {{ text_literal(column.get('normalise')) }} as normalisation,
        {{ 'true' if column.get('required') else 'false' }} as is_required,
        {{ text_literal(column.get('range_phrase')) }} as range_phrase
{%- endmacro %}


{#- A text literal, or a typed null. -#}
{% macro text_literal(value) -%}
    {%- if value is none -%}
        {{ return('cast(null as ' ~ dbt.type_string() ~ ')') }}
    {%- endif -%}
    {{ return(sql_string_literal(value)) }}
{%- endmacro %}
