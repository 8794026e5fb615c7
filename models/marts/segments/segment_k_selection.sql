with

fitted_centroids as (
    select * from {{ ref('int_segment_centroids_fitted') }}
),

per_k as (
    select distinct
        k,
        clustering_features,
        selection_method,
        inertia,
        silhouette,
        calinski_harabasz,
        davies_bouldin,
        sample_row_count,
        selection_row_count,
        fit_seconds,
        is_elbow_k,
        is_selected_k as is_selected
    from fitted_centroids
)

select * from per_k
