{#- A select of exact quantiles of `column` in `relation` (a table or CTE name), one
    row per `partition_by` value (one row without it), with a column quantile_<i> for
    the i-th of `shares` (0.5 for the median). Exact as percentile_cont and pandas
    compute them: sorted, the n non-null values hold positions 0 to n - 1, and the
    quantile lies (n - 1) x share of the way, linearly between the two values either
    side. The values are counted first, one row per distinct value, so for a column
    with few distinct values (a whole-number column staging rounds, such as age) this
    holds a few hundred counts where percentile_cont holds every value. -#}
{% macro counted_quantiles(relation, column, shares, partition_by=none) -%}
    {%- set partition_columns = partition_by ~ ', ' if partition_by else '' %}
    select
        {{ partition_columns }}
        {%- for share in shares %}
        below_{{ loop.index }} + (
            (value_total - 1) * {{ share }} - floor((value_total - 1) * {{ share }})
        ) * (above_{{ loop.index }} - below_{{ loop.index }}) as quantile_{{ loop.index }}
        {{- ',' if not loop.last }}
        {%- endfor %}
    from (
        {#- The value at position p is the smallest whose running count exceeds p. #}
        select
            {{ partition_columns }}
            max(value_total) as value_total,
            {%- for share in shares %}
            min(counted_value) filter (
                where values_up_to_here > floor((value_total - 1) * {{ share }})
            ) as below_{{ loop.index }},
            min(counted_value) filter (
                where values_up_to_here > ceil((value_total - 1) * {{ share }})
            ) as above_{{ loop.index }}{% if not loop.last %},{% endif %}
            {%- endfor %}
        from (
            select
                {{ partition_columns }}
                counted_value,
                sum(value_count) over (
                    {% if partition_by %}partition by {{ partition_by }} {% endif -%}
                    order by counted_value
                    rows between unbounded preceding and current row
                ) as values_up_to_here,
                sum(value_count) over (
                    {%- if partition_by %} partition by {{ partition_by }} {% endif -%}
                ) as value_total
            from (
                select
                    {{ partition_columns }}
                    {{ column }} as counted_value,
                    count(*) as value_count
                from {{ relation }}
                where {{ column }} is not null
                group by {{ partition_columns }}{{ column }}
            ) as value_counts
        ) as running_counts
        {%- if partition_by %}
        group by {{ partition_by }}
        {%- endif %}
    ) as quantile_neighbours
{%- endmacro %}


{#- How quantiles of `column_count` real-valued columns of `relation` are computed
    within the memory budget, as {'method', 'condition', 'filter'}. An exact quantile
    holds every value of its column at once (DuckDB cannot spill it), so they are exact
    over every row ('exact') while the values number at most exact_quantile_value_limit
    (16 million doubles, 128 MB, by default: a quarter of the default memory cap).
    Beyond, they are exact quantiles of a repeatable sample ('sample'): the rows whose
    `sample_key` hashes into the lowest share of the hash range that fits the budget,
    selected by `condition` (a uniform sample; at the default budget its quantiles lie
    within a few hundredths of a percent of rank of the full data's). `filter` applies
    that condition to an aggregate (' filter (where ...)'; empty for the other methods,
    so an aggregate can always be followed by it). Engines without a known hash range
    approximate instead ('approximate', see approximate_quartile_list). Whole numbers
    staging rounds are counted exactly whatever their number (counted_quantiles). -#}
{% macro quantile_method(relation, column_count, sample_key) -%}
    {%- set limit = number_var('exact_quantile_value_limit', 0, 1000000000000, whole=true) -%}
    {%- if column_count == 0 or not execute -%}
        {{ return({'method': 'exact', 'condition': none, 'filter': ''}) }}
    {%- endif -%}
    {%- set row_count = run_query('select count(*) from ' ~ relation).columns[0].values()[0] -%}
    {%- if row_count * column_count <= limit -%}
        {{ return({'method': 'exact', 'condition': none, 'filter': ''}) }}
    {%- endif -%}
    {%- set share = sample_hash_share(sample_key) -%}
    {%- if share is none -%}
        {{ return({'method': 'approximate', 'condition': none, 'filter': ''}) }}
    {%- endif -%}
    {%- set condition = share ~ ' < ' ~ (limit / (row_count * column_count)) -%}
    {{ return({
        'method': 'sample',
        'condition': condition,
        'filter': ' filter (where ' ~ condition ~ ')',
    }) }}
{%- endmacro %}
