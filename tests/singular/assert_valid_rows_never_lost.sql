-- Assert that every input row without a problem reaches customer_segments.
select staged.input_row_number, staged.customer_id
from {{ ref('stg_mall__customers') }} as staged
left join {{ ref('customer_segments') }} as segmented
    on staged.customer_id = segmented.customer_id
where not staged.is_quarantined
    and segmented.customer_id is null
