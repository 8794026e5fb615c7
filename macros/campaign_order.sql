{#- Campaign contact order. Ranking every customer of every campaign is the build's
    largest sort, and DuckDB sorts a plain ORDER BY several times faster than a ranking
    window; a table created from an ORDER BY keeps its rows in that order, numbered by
    rowid. So on DuckDB a pre-hook of marketing_targets writes the campaigns' customers
    in contact order to a temporary table (memory, spilling to DuckDB's temporary
    directory; never the database file or the publication), the model numbers its rows,
    and a post-hook drops it. Elsewhere, and in unit tests, a window ranks them. -#}

{#- The campaigns of segment_campaigns, each with a small whole number (in campaign code
    order) to sort and partition by: sorts slow several-fold when their keys or the
    columns they carry include text. -#}
{% macro numbered_campaigns(segment_campaigns) -%}
    select
        segment_id,
        campaign_code,
        priority,
        cast(dense_rank() over (order by campaign_code) as {{ dbt.type_int() }})
            as campaign_number
    from {{ segment_campaigns }}
{%- endmacro %}

{#- Every customer of every campaign of their segment, with the distance that orders
    them. -#}
{% macro campaign_members(customer_segments, segment_campaigns) -%}
    select
        customer_segments.customer_id,
        customer_segments.segment_id,
        campaigns.campaign_number,
        customer_segments.distance_to_centroid
    from {{ customer_segments }} as customer_segments
    inner join ({{ numbered_campaigns(segment_campaigns) | indent(4) }}
    ) as campaigns
        on customer_segments.segment_id = campaigns.segment_id
{%- endmacro %}

{#- The temporary table the pre-hook writes. -#}
{% macro contact_order_table() -%}
    temp.main.campaign_contact_order
{%- endmacro %}

{#- True when the campaigns' customers are stored in contact order for marketing_targets
    to number. Unit tests, whose inputs are not stored tables, override it to false. -#}
{% macro contact_order_is_stored() -%}
    {{ return(adapter.dispatch('contact_order_is_stored', 'customer_segmentation')()) }}
{%- endmacro %}

{% macro default__contact_order_is_stored() -%}
    {{ return(false) }}
{%- endmacro %}

{#- DuckDB keeps the order of an ordered insert unless preserve_insertion_order is
    switched off; then the window ranks, as elsewhere. Only commands that run the
    hooks store it: `dbt compile` and `dbt show` get the window's SQL, which runs on
    its own. -#}
{% macro duckdb__contact_order_is_stored() -%}
    {%- if not execute or flags.WHICH not in ['build', 'run', 'retry'] -%}
        {{ return(false) }}
    {%- endif -%}
    {%- set setting = run_query(
        "select current_setting('preserve_insertion_order')"
    ).columns[0].values()[0] -%}
    {{ return(setting is sameas true) }}
{%- endmacro %}

{#- marketing_targets' pre-hook: the campaigns' customers in contact order (campaign by
    campaign, closest to the centroid first, ties by customer id), without the
    distance, which only orders them (at 100 million customers the table spills);
    nothing when the order is not stored. -#}
{% macro store_contact_order(customer_segments, segment_campaigns) -%}
    {%- if contact_order_is_stored() -%}
        create or replace temporary table {{ contact_order_table() }} as
        select
            customer_id,
            segment_id,
            campaign_number
        from ({{ campaign_members(customer_segments, segment_campaigns) | indent(8) }}
        ) as campaign_members
        order by campaign_number, distance_to_centroid, customer_id
    {%- endif -%}
{%- endmacro %}

{#- marketing_targets' post-hook: the temporary table's memory and spill go back. -#}
{% macro drop_contact_order() -%}
    {%- if contact_order_is_stored() -%}
        drop table if exists {{ contact_order_table() }}
    {%- endif -%}
{%- endmacro %}
