-- Why this many segments: the elbow and silhouette for every k tried.
select
    k,
    round(inertia, 1) as inertia,
    round(silhouette, 3) as silhouette,
    round(calinski_harabasz, 1) as calinski_harabasz,
    round(davies_bouldin, 3) as davies_bouldin,
    is_elbow_k,
    is_selected
from {{ ref('segment_k_selection') }}
order by k
