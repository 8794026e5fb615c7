"""Campaign lists on a campaign-sized input: contact ranks are exact, the control share
holds, and control group membership is stable."""

from __future__ import annotations

import pandas as pd

from customer_segmentation.devtools.planted import planted_customers
from helpers.dbt_runs import run_dbt

CONTROL_SHARE = 0.1


# More rows than two of DuckDB's 122,880-row groups, so the ordered write of the
# campaigns' contact order (macros/campaign_order.sql) runs in parallel, as at scale.
CUSTOMERS = 300_000


def test_campaign_lists_rank_exactly_and_hold_stable_control_groups(tmp_path):
    customers = planted_customers(CUSTOMERS, seed=11).drop(columns="planted_segment")
    first_file = tmp_path / "first.parquet"
    customers.to_parquet(first_file, index=False)
    first = run_dbt(
        ["build"], tmp_path / "first.duckdb", dbt_vars={"customers_file": str(first_file)}
    )
    assert first.success, first.explain()
    # The ranks DuckDB numbers from the stored contact order are those of the ranking
    # window other engines use (and the unit tests check): every row, exactly.
    window_ranks = """
        select
            customer_segments.customer_id,
            segment_campaigns.campaign_code,
            row_number() over (
                partition by segment_campaigns.campaign_code
                order by customer_segments.distance_to_centroid, customer_segments.customer_id
            ) as target_rank
        from customer_segments
        inner join segment_campaigns on customer_segments.segment_id = segment_campaigns.segment_id
    """
    differences = first.query(
        f"""
        select count(*) as row_count from (
            (select customer_id, campaign_code, target_rank from marketing_targets
             except all {window_ranks})
            union all
            ({window_ranks} except all
             select customer_id, campaign_code, target_rank from marketing_targets)
        )
        """
    )
    assert differences.row_count[0] == 0
    assert (
        first.query("select count(*) as row_count from marketing_targets").row_count[0] >= CUSTOMERS
    )
    before = first.query(
        "select customer_id, campaign_code, is_control_group from marketing_targets"
    )
    per_campaign = before.groupby("campaign_code").is_control_group.agg(["mean", "size"])
    large = per_campaign[per_campaign["size"] >= 5_000]
    assert len(large) >= 3
    assert (large["mean"] - CONTROL_SHARE).abs().max() <= 0.01, per_campaign

    # Next week's data: a fifth of the customers gone, new ones arrived. Everyone who
    # stays keeps their place in or out of the control group of a campaign they are
    # still targeted by.
    newcomers = planted_customers(15_000, seed=12).drop(columns="planted_segment")
    newcomers["CustomerID"] += 1_000_000
    changed = customers.sample(frac=0.8, random_state=3)
    second_file = tmp_path / "second.parquet"
    pd.concat([changed, newcomers]).to_parquet(second_file, index=False)
    second = run_dbt(
        ["build"], tmp_path / "second.duckdb", dbt_vars={"customers_file": str(second_file)}
    )
    assert second.success, second.explain()
    after = second.query(
        "select customer_id, campaign_code, is_control_group from marketing_targets"
    )
    both = before.merge(after, on=["customer_id", "campaign_code"], suffixes=("_before", "_after"))
    assert len(both) > 0.6 * CUSTOMERS
    assert (both.is_control_group_before == both.is_control_group_after).all()
