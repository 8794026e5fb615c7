{#- The model space: where customers are clustered and scored. One macro writes it for
    the fit (int_customers_standardised, with this build's feature statistics) and for
    scoring (int_customers_scored, with the statistics stored in the model version), so
    both compute the same doubles from the same literals. -#}

{#- A feature's value with its missing values imputed (`imputation` is an expression
    giving the stored value); as it is when missing values are quarantined. -#}
{% macro imputed_value(feature, value, imputation) -%}
    {%- if feature.missing == 'quarantine' or imputation is none -%}
        {{ value }}
    {%- else -%}
        coalesce({{ value }}, {{ imputation }})
    {%- endif -%}
{%- endmacro %}


{#- ln(1 + x) for `log` (negative values were quarantined in staging). -#}
{% macro transformed_value(value, transform) -%}
    {%- if transform == 'log' -%}
        ln(1 + {{ value }})
    {%- else -%}
        {{ value }}
    {%- endif -%}
{%- endmacro %}


{#- The inverse of transformed_value: a centroid back in the feature's own units. -#}
{% macro untransformed_value(value, transform_column) -%}
    case when {{ transform_column }} = 'log' then exp({{ value }}) - 1 else {{ value }} end
{%- endmacro %}


{#- Every dimension of a model (rows shaped like int_feature_statistics) as a dict,
    dimension_position first. `relation` may be filtered with `where`. At parse time,
    or before the relation exists, one stand-in dimension per configured feature. -#}
{% macro model_dimensions(relation, where=none) -%}
    {%- set fields = [
        'dimension_name', 'feature_name', 'feature_kind', 'category', 'transform',
        'missing_policy', 'imputation_value', 'imputation_category', 'feature_mean',
        'dimension_scale', 'feature_signature',
    ] -%}
    {%- if not execute or load_relation(relation) is none -%}
        {%- set stand_ins = [] -%}
        {%- for feature in segmentation_features() -%}
            {%- do stand_ins.append({
                'dimension_name': feature.name ~ ('_z' if feature.kind == 'numeric' else '__1'),
                'feature_name': feature.name, 'feature_kind': feature.kind,
                'category': none if feature.kind == 'numeric' else '',
                'transform': feature.transform, 'missing_policy': feature.missing,
                'imputation_value': none, 'imputation_category': none,
                'feature_mean': 0, 'dimension_scale': 1, 'feature_signature': '',
            }) -%}
        {%- endfor -%}
        {{ return(stand_ins) }}
    {%- endif -%}
    {%- set rows = run_query(
        'select distinct ' ~ fields | join(', ') ~ ', dimension_position from ' ~ relation
        ~ (' where ' ~ where if where else '') ~ ' order by dimension_position'
    ).rows -%}
    {%- set dimensions = [] -%}
    {%- for row in rows -%}
        {%- set dimension = dict(zip(fields, row.values())) -%}
        {%- if not modules.re.match('^[a-z_][a-z0-9_]*$', dimension.dimension_name)
            or not modules.re.match('^[a-z_][a-z0-9_]*$', dimension.feature_name) -%}
            {{ exceptions.raise_compiler_error(
                "The model in " ~ relation ~ " names a dimension that is not a plain "
                ~ "identifier: " ~ dimension.dimension_name
            ) }}
        {%- endif -%}
        {%- do dimensions.append(dimension) -%}
    {%- endfor -%}
    {{ return(dimensions) }}
{%- endmacro %}


{#- The model-space value of one dimension for the customer row in scope (columns named
    after the features): a weighted z-score of the transformed, imputed value, or a
    category's scaled indicator. -#}
{% macro model_space_value(dimension) -%}
    {%- set column = dimension.feature_name -%}
    {%- if dimension.feature_kind == 'numeric' -%}
        {%- set imputation = float_literal(dimension.imputation_value)
            if dimension.imputation_value is not none else none -%}
        {%- set value = transformed_value(
            imputed_value({'missing': dimension.missing_policy}, column, imputation),
            dimension.transform
        ) -%}
        ({{ value }} - {{ float_literal(dimension.feature_mean) }})
            * {{ float_literal(dimension.dimension_scale) }}
    {%- else -%}
        {%- set imputation = text_literal(dimension.imputation_category)
            if dimension.imputation_category is not none else none -%}
        case
            when {{ imputed_value({'missing': dimension.missing_policy}, column, imputation) }}
                = {{ text_literal(dimension.category) }}
                then {{ float_literal(dimension.dimension_scale) }}
            else {{ float_literal(0) }}
        end
    {%- endif -%}
{%- endmacro %}


{#- Every dimension as a column named after it (after `alias_prefix`). -#}
{% macro model_space_columns(dimensions, alias_prefix='') -%}
    {%- for dimension in dimensions %}
        {{ model_space_value(dimension) }} as {{ alias_prefix ~ dimension.dimension_name }}
        {{- ',' if not loop.last }}
    {%- endfor %}
{%- endmacro %}


{#- What identifies a model's features for lineage: each feature's name, kind,
    transform and weight, in order. A refit on another signature starts new segment
    ids. -#}
{% macro feature_signature(features) -%}
    {%- set parts = [] -%}
    {%- for feature in features -%}
        {%- do parts.append(
            feature.name ~ ' ' ~ feature.kind ~ ' ' ~ feature.transform ~ ' weight '
            ~ readable_number(feature.weight)
        ) -%}
    {%- endfor -%}
    {{ return(parts | join('; ')) }}
{%- endmacro %}


{#- Fails the build, naming the feature, when a feature cannot separate customers: a
    numeric one with no spread, a categorical one with fewer than two categories in
    its vocabulary. -#}
{% macro assert_features_vary(statistics_relation) -%}
    {%- if not execute -%}
        {{ return('') }}
    {%- endif -%}
    {%- set found = {} -%}
    {%- for name, kind, dimension_count, std, category in run_query(
        'select feature_name, min(feature_kind), count(*), max(feature_std), max(category)'
        ~ ' from ' ~ statistics_relation ~ ' group by feature_name'
    ).rows -%}
        {%- do found.update({name: (kind, dimension_count, std, category)}) -%}
    {%- endfor -%}
    {%- for feature in segmentation_features() -%}
        {%- set kind, dimension_count, std, category = found.get(
            feature.name, (feature.kind, 0, none, none)
        ) -%}
        {%- if kind == 'numeric' and (std is none or std == 0) -%}
            {{ exceptions.raise_compiler_error(
                "The segmentation feature " ~ feature.name ~ " is constant (standard "
                ~ "deviation 0 over the valid customers): it cannot separate customers. "
                ~ "Remove it from segmentation_features."
            ) }}
        {%- elif kind == 'categorical' and dimension_count < 2 -%}
            {{ exceptions.raise_compiler_error(
                "The categorical segmentation feature " ~ feature.name ~ " has "
                ~ ("only one value ('" ~ category ~ "')" if dimension_count == 1
                    else "no value")
                ~ " held by at least category_min_share of the valid customers: it "
                ~ "cannot separate customers. Remove it from segmentation_features."
            ) }}
        {%- endif -%}
    {%- endfor -%}
    {{ return('') }}
{%- endmacro %}
