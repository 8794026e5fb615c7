-- What was rejected from the input and why, most common reasons first.
select
    rejection_reason,
    count(*) as rows_rejected,
    min(input_row_number) as first_input_row
from {{ ref('customer_quarantine') }}
group by rejection_reason
order by rows_rejected desc
