"""Control groups on a campaign-sized input: the share holds, and membership is stable."""

from __future__ import annotations

import pandas as pd

from customer_segmentation.devtools.planted import planted_customers
from helpers.dbt_runs import run_dbt

CONTROL_SHARE = 0.1


def test_control_groups_hold_their_share_and_keep_their_customers(tmp_path):
    customers = planted_customers(60_000, seed=11).drop(columns="planted_segment")
    first_file = tmp_path / "first.parquet"
    customers.to_parquet(first_file, index=False)
    first = run_dbt(
        ["build"], tmp_path / "first.duckdb", dbt_vars={"customers_file": str(first_file)}
    )
    assert first.success, first.explain()
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
    assert len(both) > 40_000
    assert (both.is_control_group_before == both.is_control_group_after).all()
