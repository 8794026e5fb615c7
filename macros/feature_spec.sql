{#- The configured columns: what the vars `segmentation_features` and `profile_columns`
    ask for, validated and normalised before any SQL is generated. Every name that
    reaches SQL is an identifier checked against [a-z_][a-z0-9_]*; input headers are
    quoted, values written as literals. The Python models never see this: they fit
    whatever model-space columns the prepare step gives them. -#}

{#- Columns the project knows by name: the mall data's. Each has header spellings
    (compared folded: lower case, letters and digits only) and the rules today's mall
    build applies to it. A configured column with the same name takes these as
    defaults; any other column is generic. -#}
{% macro known_customer_columns() -%}
    {%- set age_min = number_var('plausible_age_min', 0, 150) -%}
    {%- set age_max = number_var('plausible_age_max', age_min, 150) -%}
    {{ return({
        'gender': {
            'header': 'Gender', 'spellings': ['gender', 'genre', 'sex'],
            'kind': 'categorical', 'normalise': 'gender', 'required': true,
        },
        'age': {
            'header': 'Age', 'spellings': ['age'], 'kind': 'numeric',
            'min': age_min, 'max': age_max, 'round': true, 'unit': 'years',
            'range_phrase': 'the plausible range ', 'required': true,
        },
        'annual_income': {
            'header': 'Annual Income (k$)',
            'spellings': ['annualincomek', 'annualincome', 'annualincomekusd'],
            'kind': 'numeric', 'min': 0, 'required': true,
        },
        'spending_score': {
            'header': 'Spending Score (1-100)',
            'spellings': ['spendingscore1100', 'spendingscore'],
            'kind': 'numeric', 'min': 1, 'max': 100, 'round': true, 'range_phrase': '',
            'required': true,
        },
    }) }}
{%- endmacro %}

{#- The known column a configured name stands for, by its name (annual_income) or by a
    header spelling of it ("Annual Income (k$)"); none for any other column. -#}
{% macro known_column_name(name, column) -%}
    {%- set known = known_customer_columns() -%}
    {%- if name in known -%}
        {{ return(name) }}
    {%- endif -%}
    {%- for known_name, rules in known.items() -%}
        {%- if folded_header(column) in rules.spellings -%}
            {{ return(known_name) }}
        {%- endif -%}
    {%- endfor -%}
    {{ return(none) }}
{%- endmacro %}


{#- Features when the var is not set: recency, frequency and monetary value, logged,
    when the segmentation starts from a transaction log; else the mall's. -#}
{% macro default_segmentation_features() -%}
    {%- if has_transactions() -%}
        {{ return([
            {'column': 'recency_days', 'transform': 'log'},
            {'column': 'frequency', 'transform': 'log'},
            {'column': 'monetary', 'transform': 'log'},
        ]) }}
    {%- endif -%}
    {{ return(['annual_income', 'spending_score']) }}
{%- endmacro %}

{#- Profile columns when the var is not set, where the input has them: a transaction
    log's average order value and tenure, and the mall's gender and age (from a
    customer table, when one is given beside the log). -#}
{% macro default_profile_columns() -%}
    {%- if has_transactions() and not has_customer_table() -%}
        {{ return(['average_order_value', 'tenure_days']) }}
    {%- elif has_transactions() -%}
        {{ return(['average_order_value', 'tenure_days', 'gender', 'age']) }}
    {%- endif -%}
    {{ return(['gender', 'age']) }}
{%- endmacro %}

{#- Output names the pipeline writes itself; a configured column may not take one. -#}
{% macro reserved_column_names() -%}
    {{ return([
        'customer_id', 'segment_id', 'segment_name', 'distance_to_centroid', 'is_outlier',
        'has_imputed_value', 'has_rounded_value', 'input_row_number', 'rejection_reason',
        'raw_values', 'is_quarantined', 'is_exact_duplicate', 'model_version',
        'raw_customer_id', 'value_problems', 'has_missing_feature', 'is_later_copy',
    ]) }}
{%- endmacro %}


{#- A header folded for matching: lower case, letters and digits only. -#}
{% macro folded_header(name) -%}
    {{ return(modules.re.sub('[^a-z0-9]', '', (name | string) | lower)) }}
{%- endmacro %}

{#- The snake_case output name of a configured column ("Annual Income (k$)" ->
    annual_income_k, "MntWines" -> mnt_wines); refused unless it is a plain
    identifier. -#}
{% macro snake_case_name(column, var_name) -%}
    {#- camelCase words are split first: NumWebPurchases -> num_web_purchases. -#}
    {%- set words = modules.re.sub('([a-z0-9])([A-Z])', '\\1_\\2', column | string) -%}
    {%- set snake = modules.re.sub('[^a-z0-9]+', '_', words | lower).strip('_') -%}
    {%- if snake != '' and snake[0] in '0123456789' -%}
        {%- set snake = 'column_' ~ snake -%}
    {%- endif -%}
    {%- if not modules.re.match('^[a-z_][a-z0-9_]{0,62}$', snake) -%}
        {{ exceptions.raise_compiler_error(
            var_name ~ " has a column name that gives no usable output name: '"
            ~ column ~ "'"
        ) }}
    {%- endif -%}
    {{ return(snake) }}
{%- endmacro %}


{#- A var that must be a list: YAML lists as they are, text split on commas. -#}
{% macro list_var_items(value, var_name) -%}
    {%- if value is string -%}
        {{ return(value.split(',') | map('trim') | reject('equalto', '') | list) }}
    {%- elif value is mapping or value is not iterable -%}
        {{ exceptions.raise_compiler_error(
            var_name ~ " must be a list, got '" ~ value ~ "'"
        ) }}
    {%- endif -%}
    {{ return(value | list) }}
{%- endmacro %}


{#- A number option of a feature mapping, or none. -#}
{% macro feature_number_option(item, key, feature_name) -%}
    {%- set value = item.get(key) -%}
    {%- if value is none -%}
        {{ return(none) }}
    {%- endif -%}
    {#- NaN differs from itself; an infinity minus itself is NaN. -#}
    {%- if value is sameas true or value is sameas false or value is not number
        or value != value or (value - value) != 0 -%}
        {{ exceptions.raise_compiler_error(
            "segmentation_features: " ~ key ~ " of '" ~ feature_name
            ~ "' must be a number, got '" ~ value ~ "'"
        ) }}
    {%- endif -%}
    {{ return(value) }}
{%- endmacro %}


{% macro feature_choice_option(item, key, choices, default, feature_name) -%}
    {%- set value = item.get(key, default) -%}
    {%- if value is none -%}
        {{ return(default) }}
    {%- endif -%}
    {%- if value is not string or (value | lower | trim) not in choices -%}
        {{ exceptions.raise_compiler_error(
            "segmentation_features: " ~ key ~ " of '" ~ feature_name ~ "' must be one of "
            ~ choices | join(', ') ~ ", got '" ~ value ~ "'"
        ) }}
    {%- endif -%}
    {{ return(value | lower | trim) }}
{%- endmacro %}


{#- One segmentation feature, normalised: name (output column), column (as
    configured), spellings (folded headers it matches), kind, transform, missing, min,
    max, weight, unit (none: from the header), label (in messages), round, normalise,
    range_phrase. -#}
{% macro normalised_feature(item) -%}
    {%- set allowed = ['column', 'kind', 'transform', 'missing', 'min', 'max', 'weight', 'unit'] -%}
    {%- if item is string -%}
        {%- set item = {'column': item} -%}
    {%- elif item is not mapping -%}
        {{ exceptions.raise_compiler_error(
            "segmentation_features items are column names or mappings "
            ~ "{column: NAME, kind: ..., transform: ..., missing: ..., min: ..., max: ..., "
            ~ "weight: ..., unit: ...}; got '" ~ item ~ "'"
        ) }}
    {%- endif -%}
    {%- set unknown = item.keys() | reject('in', allowed) | list -%}
    {%- if unknown -%}
        {{ exceptions.raise_compiler_error(
            "segmentation_features: unknown option(s) " ~ unknown | join(', ')
            ~ " in " ~ item ~ "; allowed: " ~ allowed | join(', ')
        ) }}
    {%- endif -%}
    {%- set column = item.get('column') -%}
    {%- if column is none or column is not string or column | trim == '' -%}
        {{ exceptions.raise_compiler_error(
            "segmentation_features: every feature needs a column name, got " ~ item
        ) }}
    {%- endif -%}
    {%- set column = column | trim -%}
    {%- set name = snake_case_name(column, 'segmentation_features') -%}
    {%- set known_name = known_column_name(name, column) -%}
    {%- set name = known_name or name -%}
    {%- set base = known_customer_columns().get(known_name, {}) -%}
    {%- set kind = feature_choice_option(
        item, 'kind', ['numeric', 'categorical'], base.get('kind', 'numeric'), name
    ) -%}
    {%- if base and base.kind != kind -%}
        {#- A known column used another way is treated as a generic column. -#}
        {%- set base = {} -%}
    {%- endif -%}
    {%- set transform = feature_choice_option(item, 'transform', ['none', 'log'], 'none', name) -%}
    {%- set missing = feature_choice_option(
        item, 'missing', ['quarantine', 'median', 'mean', 'most_frequent'], 'quarantine', name
    ) -%}
    {%- set minimum = feature_number_option(item, 'min', name) -%}
    {%- set maximum = feature_number_option(item, 'max', name) -%}
    {%- if 'min' not in item -%}{%- set minimum = base.get('min') -%}{%- endif -%}
    {%- if 'max' not in item -%}{%- set maximum = base.get('max') -%}{%- endif -%}
    {%- set weight = feature_number_option(item, 'weight', name) -%}
    {%- set weight = 1 if weight is none else weight -%}
    {%- if kind == 'categorical' and (transform != 'none' or minimum is not none
        or maximum is not none or missing in ['median', 'mean']) -%}
        {{ exceptions.raise_compiler_error(
            "segmentation_features: '" ~ name ~ "' is categorical: it takes no transform, "
            ~ "min or max, and missing must be quarantine or most_frequent"
        ) }}
    {%- endif -%}
    {%- if minimum is not none and maximum is not none and minimum > maximum -%}
        {{ exceptions.raise_compiler_error(
            "segmentation_features: min of '" ~ name ~ "' (" ~ minimum
            ~ ") is above its max (" ~ maximum ~ ")"
        ) }}
    {%- endif -%}
    {%- if not (0 < weight <= 100) -%}
        {{ exceptions.raise_compiler_error(
            "segmentation_features: weight of '" ~ name ~ "' must be above 0 and at most "
            ~ "100, got " ~ weight
        ) }}
    {%- endif -%}
    {%- set unit = item.get('unit') -%}
    {%- if unit is not none and (unit is not string or unit | length > 40) -%}
        {{ exceptions.raise_compiler_error(
            "segmentation_features: unit of '" ~ name ~ "' must be a short text, got '"
            ~ unit ~ "'"
        ) }}
    {%- endif -%}
    {{ return({
        'name': name,
        'column': column,
        'spellings': base.get('spellings', [folded_header(column)])
            if base else [folded_header(column)],
        'kind': kind,
        'transform': transform,
        'missing': missing,
        'min': minimum,
        'max': maximum,
        'weight': weight,
        'unit': unit if unit is not none else base.get('unit'),
        'has_configured_unit': unit is not none or base.get('unit') is not none,
        'label': name.replace('_', ' '),
        'round': base.get('round', false),
        'normalise': base.get('normalise'),
        'required': base.get('required', false),
        'range_phrase': base.get('range_phrase', 'the range '),
        'is_feature': true,
    }) }}
{%- endmacro %}


{#- The segmentation features as configured now (the var), normalised. -#}
{% macro configured_features() -%}
    {%- set requested = var('segmentation_features', none) -%}
    {%- if requested is none -%}
        {%- set requested = default_segmentation_features() -%}
    {%- endif -%}
    {%- set items = list_var_items(requested, 'segmentation_features') -%}
    {%- if items | length == 0 -%}
        {{ exceptions.raise_compiler_error(
            "segmentation_features is empty: name at least one column to segment on"
        ) }}
    {%- endif -%}
    {%- set features = [] -%}
    {%- for item in items -%}
        {%- do features.append(normalised_feature(item)) -%}
    {%- endfor -%}
    {{ return(checked_column_names(features, 'segmentation_features')) }}
{%- endmacro %}


{#- Refuses repeated and reserved output names. -#}
{% macro checked_column_names(columns, var_name) -%}
    {%- set seen = [] -%}
    {%- for column in columns -%}
        {%- if column.name in reserved_column_names() -%}
            {{ exceptions.raise_compiler_error(
                var_name ~ ": '" ~ column.column ~ "' would be written as " ~ column.name
                ~ ", a name the pipeline writes itself; rename the column"
            ) }}
        {%- endif -%}
        {%- if column.name in seen -%}
            {{ exceptions.raise_compiler_error(
                var_name ~ " repeats a column: " ~ column.name
            ) }}
        {%- endif -%}
        {%- do seen.append(column.name) -%}
    {%- endfor -%}
    {{ return(columns) }}
{%- endmacro %}


{#- The features the model in use was fitted on: with `refit: false` the latest model
    version's stored spec (whatever the var says now), else the var. -#}
{% macro segmentation_features() -%}
    {%- if not refit_enabled() -%}
        {%- set stored = stored_feature_spec() -%}
        {%- if stored is not none -%}
            {{ return(stored) }}
        {%- endif -%}
    {%- endif -%}
    {{ return(configured_features()) }}
{%- endmacro %}


{#- Profile columns: extra input columns carried into customer_segments and profiled
    per segment. Unset: the mall's (gender, age) where the input has them; a column
    that is also a feature is profiled as a feature. -#}
{% macro profile_columns(features) -%}
    {%- set requested = var('profile_columns', none) -%}
    {%- set is_default = requested is none -%}
    {%- set items = default_profile_columns() if is_default
        else list_var_items(requested, 'profile_columns') -%}
    {%- set feature_names = features | map(attribute='name') | list -%}
    {%- set known = known_customer_columns() -%}
    {%- set columns = [] -%}
    {%- for item in items -%}
        {%- if item is not string or item | trim == '' -%}
            {{ exceptions.raise_compiler_error(
                "profile_columns must be a list of column names, got '" ~ item ~ "'"
            ) }}
        {%- endif -%}
        {%- set name = snake_case_name(item | trim, 'profile_columns') -%}
        {%- set known_name = known_column_name(name, item | trim) -%}
        {%- set name = known_name or name -%}
        {%- if name not in feature_names -%}
            {%- set base = known.get(name, {}) -%}
            {%- do columns.append({
                'name': name,
                'column': item | trim,
                'spellings': base.get('spellings', [folded_header(item | trim)]),
                'kind': base.get('kind'),
                'transform': 'none',
                'missing': 'quarantine' if base.get('required') else 'keep',
                'min': base.get('min'),
                'max': base.get('max'),
                'weight': none,
                'unit': base.get('unit'),
                'has_configured_unit': base.get('unit') is not none,
                'label': name.replace('_', ' '),
                'round': base.get('round', false),
                'normalise': base.get('normalise'),
                'required': base.get('required', false),
                'range_phrase': base.get('range_phrase', 'the range '),
                'is_feature': false,
                'is_optional': is_default,
            }) -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(checked_column_names(columns, 'profile_columns')) }}
{%- endmacro %}
