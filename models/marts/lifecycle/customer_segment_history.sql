{#- Every customer's segment over time: one row per customer and stretch of builds in
    one segment (slowly changing, type 2). Each build closes the open rows of customers
    who moved or left (valid_to = this build) and opens rows for those who moved or
    joined; nobody else is touched, so a build where nobody moves writes nothing.

    How the change is written depends on the engine (history_write_config): DuckDB
    merges, closing open rows in place and inserting the new ones; engines without a
    row-level strategy on their plain tables (Spark on Parquet) keep the history
    partitioned by valid_to and rewrite only the open rows' partition, with the rows
    closed at this build in a partition of their own. Either way, rows closed at
    earlier builds are never rewritten.

    Hand-written rather than a dbt snapshot: the snapshot's change detection (hashes,
    several scans) costs many times this one join. -#}
{%- set write_config = history_write_config() %}
{{ config(
    materialized='incremental',
    full_refresh=false,
    on_schema_change='append_new_columns',
    **write_config
) }}
{%- set rewrites_open_rows = write_config.get('incremental_strategy') == 'insert_overwrite' %}
{%- set this_build = build_started_at() %}
{#- When every open row already holds its customer's current segment (the same
    (customer, segment) pairs on both sides, compared by fingerprint), nothing is to
    be written and the join below is skipped: a daily rebuild where nobody moved. #}
{%- set nobody_moved = is_incremental() and execute and key_fingerprints_match(
    'select ' ~ values_hash(['customer_id', 'segment_id']) ~ ' as key_value from '
        ~ ref('customer_segments'),
    'select ' ~ values_hash(['customer_id', 'segment_id']) ~ ' as key_value from '
        ~ this ~ ' where valid_to is null'
) %}

with

customer_segments as (
    select * from {{ ref('customer_segments') }}
),

current_model as (
    select distinct model_version from {{ ref('int_segment_model_current') }}
),

{#- Who is in which segment now, and the model version that scored them. #}
current_assignments as (
    select
        customer_segments.customer_id,
        customer_segments.segment_id,
        current_model.model_version
    from customer_segments
    cross join current_model
),

{%- if is_incremental() and not nobody_moved %}

open_rows as (
    select * from {{ this }} where valid_to is null
),

changed as (
    select
        coalesce(current_assignments.customer_id, open_rows.customer_id) as customer_id,
        open_rows.segment_id as previous_segment_id,
        open_rows.model_version as previous_model_version,
        open_rows.valid_from as previous_valid_from,
        current_assignments.segment_id,
        current_assignments.model_version
    from current_assignments
    full outer join open_rows
        on current_assignments.customer_id = open_rows.customer_id
    where current_assignments.segment_id is distinct from open_rows.segment_id
),

{%- else %}

{#- The first build: everyone joins. Or nobody moved, joined or left: no change. #}
changed as (
    select
        customer_id,
        cast(null as {{ dbt.type_bigint() }}) as previous_segment_id,
        cast(null as {{ dbt.type_bigint() }}) as previous_model_version,
        cast(null as {{ dbt.type_timestamp() }}) as previous_valid_from,
        segment_id,
        model_version
    from current_assignments
    {%- if nobody_moved %}
    where 1 = 0
    {%- endif %}
),

{%- endif %}

{%- if rewrites_open_rows and is_incremental() and not nobody_moved %}

{#- The open partition is rewritten whole: the open rows nobody changed go back in. #}
kept_open as (
    select
        open_rows.customer_id,
        open_rows.segment_id,
        open_rows.model_version,
        open_rows.valid_from,
        open_rows.valid_to
    from open_rows
    left join changed
        on open_rows.customer_id = changed.customer_id
    where changed.customer_id is null
),

{%- endif %}

closed as (
    select
        customer_id,
        previous_segment_id as segment_id,
        previous_model_version as model_version,
        previous_valid_from as valid_from,
        {{ this_build }} as valid_to
    from changed
    where previous_segment_id is not null
),

opened as (
    select
        customer_id,
        segment_id,
        model_version,
        {{ this_build }} as valid_from,
        cast(null as {{ dbt.type_timestamp() }}) as valid_to
    from changed
    where segment_id is not null
),

history_changes as (
    select * from closed
    union all
    select * from opened
    {%- if rewrites_open_rows and is_incremental() and not nobody_moved %}
    union all
    select * from kept_open
    {%- endif %}
)

select * from history_changes
