{#- Where customers went between the previous build and this one, appended each build:
    one row per (from segment, to segment) with the customers who made that move,
    including those who stayed, joined (new in the input) or left it. For each build,
    the counts out of a segment add up to its customers in the previous build and the
    counts into a segment to its customers now.

    Read from customer_segment_history, whose rows are stamped with the start of the
    build: this build's changes are the rows closed or opened at exactly that time. -#}
{{ config(
    materialized='incremental',
    incremental_strategy='append',
    full_refresh=false,
    on_schema_change='append_new_columns',
) }}
{%- set this_build = build_started_at() %}
{#- When no row closed at this build (a first build, or a refit that moved nobody and
    lost nobody), every row opened now is a customer who joined: counted per segment,
    with no join. Asking first spares a first build the full outer join's hash table of
    every customer. #}
{%- set anyone_closed_now = true %}
{%- if execute %}
{%- set closed_now_count = run_query(
    'select count(*) from ' ~ ref('customer_segment_history')
    ~ ' where valid_to = ' ~ this_build
).columns[0].values()[0] %}
{%- set anyone_closed_now = closed_now_count > 0 %}
{%- endif %}

with

history as (
    select * from {{ ref('customer_segment_history') }}
),

registry as (
    select * from {{ ref('int_segment_models_registered') }}
),

current_model as (
    select distinct model_version from {{ ref('int_segment_model_current') }}
),

{#- A segment keeps its name for life, so each id has one. #}
segment_names as (
    select
        segment_id,
        max(segment_name) as segment_name
    from registry
    where is_selected_k
    group by segment_id
),

stayed as (
    select
        segment_id as from_segment_id,
        segment_id as to_segment_id,
        count(*) as customer_count
    from history
    where valid_to is null
        and valid_from < {{ this_build }}
    group by segment_id
),

opened_now as (
    select
        customer_id,
        segment_id
    from history
    where valid_from = {{ this_build }}
),

{%- if anyone_closed_now %}

closed_now as (
    select
        customer_id,
        segment_id
    from history
    where valid_to = {{ this_build }}
),
{%- endif %}

changed as (
    {%- if anyone_closed_now %}
    select
        closed_now.segment_id as from_segment_id,
        opened_now.segment_id as to_segment_id,
        count(*) as customer_count
    from closed_now
    full outer join opened_now
        on closed_now.customer_id = opened_now.customer_id
    group by closed_now.segment_id, opened_now.segment_id
    {%- else %}
    select
        cast(null as {{ dbt.type_bigint() }}) as from_segment_id,
        segment_id as to_segment_id,
        count(*) as customer_count
    from opened_now
    group by segment_id
    {%- endif %}
),

movements as (
    select * from stayed
    union all
    select * from changed
),

final as (
    select
        {{ this_build }} as built_at,
        '{{ invocation_id }}' as dbt_invocation_id,
        current_model.model_version,
        movements.from_segment_id,
        from_names.segment_name as from_segment_name,
        movements.to_segment_id,
        to_names.segment_name as to_segment_name,
        case
            when movements.from_segment_id is null then 'joined'
            when movements.to_segment_id is null then 'left'
            when movements.from_segment_id = movements.to_segment_id then 'stayed'
            else 'moved'
        end as migration_type,
        movements.customer_count
    from movements
    cross join current_model
    left join segment_names as from_names
        on movements.from_segment_id = from_names.segment_id
    left join segment_names as to_names
        on movements.to_segment_id = to_names.segment_id
)

select * from final
