"""Choosing k through real builds: the gap rule refusing structureless customers, DBSCAN
on the public mall file, and the hardest benchmark set."""

from __future__ import annotations

import numpy as np
import pandas as pd

from helpers.dbt_runs import public_mall_file, run_dbt
from helpers.point_sets import centroid_index, sipu


def test_a_build_with_the_gap_rule_on_structureless_customers_fails_saying_so(tmp_path):
    rng = np.random.default_rng(2)
    data = pd.DataFrame(
        {
            "customer_id": np.arange(1, 301),
            "visits": rng.normal(20, 4, 300).round(2),
            "spend": rng.normal(500, 80, 300).round(2),
        }
    )
    path = tmp_path / "blob.csv"
    data.to_csv(path, index=False)
    dbt_vars = {
        "customers_file": str(path),
        "segmentation_features": ["visits", "spend"],
        "profile_columns": [],
        "segment_k_rule": "gap",
    }
    run = run_dbt(["build"], tmp_path / "blob.duckdb", dbt_vars=dbt_vars)
    assert not run.success
    assert "gap finds no segment structure" in run.explain()
    assert run.statuses["int_segment_candidates_fitted"] == "error"


def test_dbscan_on_the_public_mall_file_finds_the_five_groups_and_flags_outliers(tmp_path):
    path = public_mall_file("Mall_Customers.csv")
    run = run_dbt(
        ["build"],
        tmp_path / "mall.duckdb",
        dbt_vars={"customers_file": str(path), "segment_algorithm": "dbscan"},
    )
    assert run.success, run.explain()
    selection = run.query("select * from segment_k_selection")
    assert selection.k.tolist() == [5] and selection.k_rule.tolist() == ["dbscan"]
    assert 0.05 < selection.noise_share[0] < 0.3
    segments = run.query(
        "select segment_id, avg(annual_income) as income, avg(spending_score) as score, "
        "count(*) as customers, count(*) filter (where is_outlier) as outliers "
        "from customer_segments group by segment_id order by segment_id"
    )
    # Every customer is scored into a segment: the five income x spending groups.
    assert segments.customers.sum() == 200
    groups = {
        (round(i / 30), round(s / 30)) for i, s in zip(segments.income, segments.score, strict=True)
    }
    assert groups == {(1, 1), (1, 3), (2, 2), (3, 3), (3, 1)}
    # Noise beyond the clusters' reach is flagged; never more than DBSCAN called noise.
    assert 0 < segments.outliers.sum() <= round(selection.noise_share[0] * 200)


def test_the_hardest_benchmark_set_through_a_real_build(tmp_path):
    data, truth, k = sipu("a3")
    path = tmp_path / "a3.csv"
    pd.DataFrame(data.astype(int), columns=["x", "y"]).to_csv(path, index=False)
    dbt_vars = {
        "customers_file": str(path),
        "customer_id_column": "none",
        "segmentation_features": ["x", "y"],
        "profile_columns": [],
        "segment_count": k,
        "stability_resample_count": 0,
    }
    run = run_dbt(["build"], tmp_path / "a3.duckdb", dbt_vars=dbt_vars)
    assert run.success, run.explain()
    centroids = run.query(
        "select segment_id, feature_name, centroid_original from segment_centroids"
    ).pivot(index="segment_id", columns="feature_name", values="centroid_original")
    assert centroid_index(centroids[["x", "y"]].to_numpy(), truth) == 0
