-- Assert that every campaign with at least 10,000 targets holds back within one point
-- of control_group_share as its control group (a hash puts customers there, so small
-- campaigns scatter around the setting; large ones must not). Rows: the campaigns
-- that miss.
{{ config(severity='warn') }}
{%- set control_share = number_var('control_group_share', 0, 1) %}

with

campaign_controls as (
    select
        campaign_code,
        count(*) as target_count,
        avg(case when is_control_group then 1.0 else 0.0 end) as control_share
    from {{ ref('marketing_targets') }}
    group by campaign_code
)

select *
from campaign_controls
where target_count >= 10000
    and abs(control_share - {{ control_share }}) > 0.01
