-- The first question: who are the segments, how big, and what sets each apart?
select
    segment_id,
    segment_name,
    customer_count,
    round(100 * customer_share, 1) as customer_percent,
    round(mean_annual_income) as average_income_k_usd,
    round(mean_spending_score) as average_spending_score,
    dominant_age_band,
    round(100 * female_share) as female_percent,
    distinguishing_features,
    segment_description
from {{ ref('segment_profiles') }}
order by customer_count desc
