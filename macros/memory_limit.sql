{#- A larger memory cap for one model, as a pre-hook, and the build's cap back after
    it, as a post-hook. For the step whose hash tables outgrow the build's cap at scale
    (the fold of a transaction log into orders): below the cap DuckDB spills them to
    disk and reads them back, which costs far more than the memory it saves. The cap
    is only ever raised: a build run with a larger one keeps it. The cap is the var
    `limit_var` names (null: the build's cap); errors name that var. Engines without a
    memory cap get nothing. -#}
{% macro raise_memory_limit(limit_var) -%}
    {{ return(adapter.dispatch('raise_memory_limit', 'customer_segmentation')(limit_var)) }}
{%- endmacro %}

{% macro default__raise_memory_limit(limit_var) -%}{%- endmacro %}

{% macro duckdb__raise_memory_limit(limit_var) -%}
    {%- if not execute -%}
        {{ return('') }}
    {%- endif -%}
    {%- set limit = var(limit_var, none) -%}
    {%- set raises = false -%}
    {%- if limit is not none -%}
        {%- set current = run_query("select current_setting('memory_limit')")
            .columns[0].values()[0] -%}
        {%- set raises = memory_size_bytes(limit, limit_var)
            > memory_size_bytes(current, 'memory_limit') -%}
    {%- endif -%}
    {#- The cap before, kept in the session for restore_memory_limit (the post-hook is
        rendered apart from this one and cannot see its Jinja values); kept even when
        nothing is raised, so that no earlier value is restored. -#}
    set variable saved_memory_limit = current_setting('memory_limit');
    {%- if raises %}
    set memory_limit = '{{ limit }}';
    {%- endif %}
{%- endmacro %}


{% macro restore_memory_limit() -%}
    {{ return(adapter.dispatch('restore_memory_limit', 'customer_segmentation')()) }}
{%- endmacro %}

{% macro default__restore_memory_limit() -%}{%- endmacro %}

{% macro duckdb__restore_memory_limit() -%}
    set memory_limit = coalesce(
        getvariable('saved_memory_limit'), current_setting('memory_limit')
    )
{%- endmacro %}


{#- Bytes in a memory size as DuckDB writes and reads them ('2GB', '1.5 GiB',
    '476.8 MiB', '500000 bytes'; no cap reads as some PiB); a clear error naming the
    setting otherwise. -#}
{% macro memory_size_bytes(size, setting_name) -%}
    {%- set units = {
        'b': 1, 'byte': 1, 'bytes': 1,
        'kb': 1000, 'mb': 1000 ** 2, 'gb': 1000 ** 3, 'tb': 1000 ** 4, 'pb': 1000 ** 5,
        'kib': 1024, 'mib': 1024 ** 2, 'gib': 1024 ** 3, 'tib': 1024 ** 4,
        'pib': 1024 ** 5,
    } -%}
    {%- set match = modules.re.fullmatch(
        '\\s*([0-9]+(?:\\.[0-9]+)?)\\s*([A-Za-z]*)\\s*', size | string
    ) -%}
    {%- set unit = (match.group(2) if match else '') | lower -%}
    {%- if not match or unit not in units -%}
        {{ exceptions.raise_compiler_error(
            setting_name ~ ' must be a memory size such as 2GB or 1.5GiB, got "'
            ~ size ~ '"'
        ) }}
    {%- endif -%}
    {{ return(match.group(1) | float * units[unit]) }}
{%- endmacro %}
