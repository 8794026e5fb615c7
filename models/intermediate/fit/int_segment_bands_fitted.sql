{#- Where each segment of this build's chosen fit sits on each feature: the band of its
    centroid (macros/segment_bands.sql), the vocabulary persona rules are written in. -#}

with

candidates as (
    select * from {{ ref('int_segment_candidates_fitted') }}
),

feature_statistics as (
    select * from {{ ref('int_feature_statistics') }}
),

bands as (
    select * from {{ ref('customer_bands') }}
),

chosen_centroids as (
    select
        candidates.candidate_segment,
        feature_statistics.feature_name,
        feature_statistics.feature_kind,
        feature_statistics.category,
        feature_statistics.dimension_position,
        candidates.centroid_value,
        feature_statistics.weight,
        feature_statistics.dimension_scale,
        feature_statistics.category_share
    from candidates
    inner join feature_statistics
        on candidates.dimension_name = feature_statistics.dimension_name
    where candidates.is_selected_k
),

segment_bands as (
    {{ centroid_feature_bands('chosen_centroids', 'bands', 'candidate_segment') | indent(4) }}
)

select * from segment_bands
