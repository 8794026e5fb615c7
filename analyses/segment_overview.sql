-- The first question: who are the segments, how big, and what sets each apart?
select
    segment_id,
    segment_name,
    customer_count,
    round(100 * customer_share, 1) as customer_percent,
    centroid_bands,
    distinguishing_features,
    segment_description
from {{ ref('segment_profiles') }}
order by customer_count desc
