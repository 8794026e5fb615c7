{#- One row per segment: its name and persona, size and share, tightness and outliers,
    where its centroid sits (bands), what sets it apart, and a sentence a marketer can
    read. The per-feature detail is in segment_feature_profiles. -#}

with

customer_segments as (
    select * from {{ ref('customer_segments') }}
),

personas as (
    select * from {{ ref('int_segment_personas') }}
),

feature_profiles as (
    select * from {{ ref('segment_feature_profiles') }}
),

segment_stats as (
    select
        segment_id,
        count(*) as customer_count,
        avg(distance_to_centroid) as mean_distance_to_centroid,
        count(case when is_outlier then 1 end) as outlier_count,
        count(case when has_imputed_value then 1 end) as imputed_count
    from customer_segments
    group by segment_id
),

{#- Averages of the numeric columns, and the most frequent value of each text column,
    in the configured order. #}
averages as (
    select
        segment_id,
        {{ ordered_listagg(
            "replace(feature_name, '_', ' ') || ' ' || " ~ readable_figure('mean_value')
            ~ " || coalesce(' ' || unit, '')",
            "', '",
            'feature_position'
        ) }} as average_text
    from feature_profiles
    where feature_kind = 'numeric'
        and mean_value is not null
    group by segment_id
),

most_frequent as (
    select
        segment_id,
        {{ ordered_listagg(
            "replace(feature_name, '_', ' ') || ' mostly ' || category || ' ('"
            ~ " || cast(cast(round(100 * category_share) as integer) as "
            ~ dbt.type_string() ~ ") || '%)'",
            "', '",
            'feature_position'
        ) }} as most_frequent_text
    from (
        select
            *,
            row_number() over (
                partition by segment_id, feature_name
                order by category_share desc, category asc
            ) as category_order
        from feature_profiles
        where feature_kind != 'numeric'
    ) as ranked
    where category_order = 1
    group by segment_id
),

{#- Numeric columns whose segment mean sits at least half a population standard
    deviation from the population mean, largest first; then categories at least 15
    points more common than among all customers. #}
distinguishing as (
    select
        segment_id,
        {{ ordered_listagg('difference_text', "'; '", 'difference_order') }}
            as distinguishing_features
    from (
        select
            segment_id,
            replace(feature_name, '_', ' ') || ' '
            || case when std_difference > 0 then '+' else '' end
            || cast(round(std_difference, 1) as {{ dbt.type_string() }}) || ' sd'
                as difference_text,
            -abs(std_difference) as difference_order
        from feature_profiles
        where feature_kind = 'numeric'
            and abs(std_difference) >= 0.5

        union all

        select
            segment_id,
            replace(feature_name, '_', ' ') || ' ' || category || ' '
            || cast(cast(round(100 * category_share) as integer) as {{ dbt.type_string() }})
            || '% (all '
            || cast(cast(round(100 * population_share) as integer) as {{ dbt.type_string() }})
            || '%)' as difference_text,
            100 - share_difference as difference_order
        from feature_profiles
        where feature_kind != 'numeric'
            and share_difference >= 0.15
    ) as differences
    group by segment_id
),

final as (
    select
        segment_stats.segment_id,
        personas.segment_name,
        personas.persona_name,
        personas.persona_summary || ' '
        || cast(segment_stats.customer_count as {{ dbt.type_string() }}) || ' customers ('
        || cast(round(
            100.0 * segment_stats.customer_count / sum(segment_stats.customer_count) over (), 1
        ) as {{ dbt.type_string() }})
        || '%)'
        || coalesce('; average ' || averages.average_text, '')
        || coalesce('; ' || most_frequent.most_frequent_text, '')
        || '.' as segment_description,
        personas.centroid_bands,
        coalesce(
            distinguishing.distinguishing_features,
            'close to the average customer on every column'
        ) as distinguishing_features,
        segment_stats.customer_count,
        cast(segment_stats.customer_count as {{ double_type() }})
        / sum(segment_stats.customer_count) over () as customer_share,
        segment_stats.mean_distance_to_centroid,
        segment_stats.outlier_count,
        segment_stats.imputed_count,
        personas.is_rule_named
    from segment_stats
    inner join personas
        on segment_stats.segment_id = personas.segment_id
    left join averages
        on segment_stats.segment_id = averages.segment_id
    left join most_frequent
        on segment_stats.segment_id = most_frequent.segment_id
    left join distinguishing
        on segment_stats.segment_id = distinguishing.segment_id
)

select * from final
