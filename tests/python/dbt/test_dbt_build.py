"""End to end: the default build of the bundled seed, checked through its marts (bad
input is in test_bad_input.py)."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from helpers.dbt_runs import copy_database, run_dbt
from helpers.mall_rows import (
    EMPTY_ON_THE_SEED,
    MARTS,
    centroid_cells,
)


def test_default_build_produces_every_mart(default_build):
    for mart in MARTS:
        rows = len(default_build.query(f"select * from {mart}"))
        # The bundled seed is clean (nothing is quarantined) and no transaction log is
        # given; rfm_segment_summary still lists every RFM segment, empty.
        assert rows == 0 if mart in EMPTY_ON_THE_SEED else rows > 0, mart
    segments = default_build.query("select * from customer_segments")
    assert len(segments) == 200 and segments.customer_id.is_unique


def test_default_build_finds_the_five_planted_groups_with_distinct_personas(default_build):
    chosen = default_build.query("select k from segment_k_selection where is_selected")
    assert chosen.k.tolist() == [5]
    profiles = default_build.query("select * from segment_profiles order by segment_id")
    assert profiles.segment_name.is_unique and profiles.is_rule_named.all()
    cells = dict(zip(centroid_cells(profiles), profiles.segment_name, strict=True))
    assert cells == {
        ("low", "low"): "Frugal Budget Seekers",
        ("low", "high"): "Enthusiastic Budget Shoppers",
        ("mid", "mid"): "Steady Mainstream",
        ("high", "low"): "Careful Affluents",
        ("high", "high"): "Affluent Enthusiasts",
    }
    assert profiles.customer_share.sum() == pytest.approx(1.0)
    targets = default_build.query("select * from marketing_targets")
    by_cell = dict(zip(centroid_cells(profiles), profiles.segment_id, strict=True))
    premium = targets[targets.campaign_code == "premium_loyalty"].segment_id.unique().tolist()
    assert premium == [by_cell[("high", "high")]]
    upsell = targets[targets.campaign_code == "premium_upsell"].segment_id.unique().tolist()
    assert upsell == [by_cell[("high", "low")]]


def test_feature_profiles_are_what_pandas_computes(default_build):
    """segment_feature_profiles' means, medians (age and spending score counted per
    value, income by percentile), differences in population standard deviations (the
    population combined from the segments' own figures) and category shares equal
    pandas' on customer_segments."""
    customers = default_build.query("select * from customer_segments")
    profiles = default_build.query("select * from segment_feature_profiles")
    numeric = profiles[profiles.feature_kind == "numeric"]
    assert set(numeric.feature_name) == {"annual_income", "spending_score", "age"}
    for feature, rows in numeric.groupby("feature_name"):
        rows = rows.set_index("segment_id").sort_index()
        values = customers[feature].astype(float)
        grouped = customers.groupby("segment_id")[feature]
        assert rows.mean_value.to_numpy() == pytest.approx(grouped.mean().to_numpy(), rel=1e-12)
        assert rows.median_value.to_numpy() == pytest.approx(grouped.median().to_numpy(), rel=1e-12)
        expected = (grouped.mean() - values.mean()) / values.std(ddof=0)
        assert rows.std_difference.to_numpy() == pytest.approx(expected.to_numpy(), abs=1e-9)
        assert rows.is_clustering_feature.all() == (feature != "age")
    # Even-sized segments make some medians fall between two customers' values.
    assert (numeric.median_value % 1 != 0).any()
    assert numeric[numeric.feature_name == "annual_income"].unit.tolist() == ["k$"] * 5
    genders = profiles[profiles.feature_name == "gender"]
    shares = customers.groupby("segment_id").gender.value_counts(normalize=True)
    for row in genders.itertuples():
        assert row.category_share == pytest.approx(shares.get((row.segment_id, row.category), 0))
        assert row.population_share == pytest.approx((customers.gender == row.category).mean())


def test_centroids_and_scaling_reproduce_the_assignment(default_build):
    """Anyone can score a customer from the two published tables alone."""
    customers = default_build.query("select * from customer_segments order by customer_id")
    scaling = default_build.query("select * from segment_feature_scaling order by 1")
    centroids = default_build.query(
        "select * from segment_centroids order by segment_id, dimension_position"
    )
    placed = np.column_stack(
        [
            (customers[row.feature_name] - row.feature_mean) * row.dimension_scale
            for row in scaling.itertuples()
        ]
    )
    table = centroids.pivot(index="segment_id", columns="dimension_name", values="centroid_value")
    table = table[scaling.dimension_name.tolist()]
    distances = ((placed[:, None, :] - table.to_numpy()[None, :, :]) ** 2).sum(axis=2)
    nearest = table.index.to_numpy()[distances.argmin(axis=1)]
    assert (nearest == customers.segment_id.to_numpy()).all()
    assert np.sqrt(distances.min(axis=1)) == pytest.approx(
        customers.distance_to_centroid.to_numpy(), abs=1e-9
    )
    # Back in the feature's own units, a centroid is its members' mean here: K-Means on
    # every customer of the bundled seed.
    means = customers.groupby("segment_id").annual_income.mean()
    income = centroids[centroids.feature_name == "annual_income"].set_index("segment_id")
    assert income.centroid_original.to_numpy() == pytest.approx(means.to_numpy(), rel=1e-9)


def test_the_sample_is_the_customers_with_the_smallest_id_hashes(default_build, tmp_path):
    """With a sample of 50 of the 200 customers the sort starts from those in the lowest
    share of the hash range; the sample must still be exactly the 50 with the smallest
    (hash of id, id)."""
    database = copy_database(default_build.database, tmp_path / "segmentation.duckdb")
    run = run_dbt(
        ["run", "--select", "int_customers_sampled"],
        database,
        dbt_vars={"segment_sample_size": 50},
    )
    assert run.success, run.explain()
    sampled = run.query("select customer_id from int_customers_sampled order by 1")
    expected = run.query(
        "select customer_id from customer_segments order by hash(customer_id), customer_id limit 50"
    )
    assert sampled.customer_id.tolist() == sorted(expected.customer_id)
    # The share the sort starts from holds more than the sample but not everyone.
    below = run.query(
        "select count(*) as n from customer_segments "
        "where hash(customer_id) / 18446744073709551616.0 < 120 / 200"
    ).n[0]
    assert 50 <= below < 200


def test_rebuild_gives_identical_segments_and_personas(default_build, tmp_path):
    copy_database(default_build.database, tmp_path / "rebuilt.duckdb")
    rebuilt = run_dbt(["build"], tmp_path / "rebuilt.duckdb")
    assert rebuilt.success, rebuilt.explain()
    for mart, key in [
        ("customer_segments", "customer_id"),
        ("segment_profiles", "segment_id"),
        ("segment_campaigns", "segment_id, campaign_code"),
        ("marketing_targets", "customer_id, campaign_code"),
    ]:
        before = default_build.query(f"select * from {mart} order by {key}")
        after = rebuilt.query(f"select * from {mart} order by {key}")
        pd.testing.assert_frame_equal(before, after)
    # Nobody moved: the history skipped its join (its fingerprint check decided) and
    # wrote nothing.
    history_sql = next((tmp_path / "target" / "run").rglob("customer_segment_history.sql"))
    assert "full outer join" not in history_sql.read_text()
    query = "select * from customer_segment_history order by customer_id, valid_from"
    pd.testing.assert_frame_equal(default_build.query(query), rebuilt.query(query))


def test_unit_tests_pass_when_selected_and_stay_out_of_the_plain_build(default_build, tmp_path):
    """selectors.yml leaves unit tests out of a plain `dbt build` (fixed fixtures, nothing
    to learn from the day's data); CI runs every one of them here."""
    database = copy_database(default_build.database, tmp_path / "segmentation.duckdb")
    run = run_dbt(["test", "--select", "test_type:unit"], database)
    assert run.success, run.explain()
    manifest = json.loads((tmp_path / "target" / "manifest.json").read_text())
    declared = {test["name"] for test in manifest["unit_tests"].values()}
    assert len(declared) >= 5
    assert run.statuses == dict.fromkeys(declared, "pass")
    assert not declared & set(default_build.statuses)


def test_docs_generate_offline(default_build):
    run = run_dbt(["docs", "generate"], default_build.database)
    assert run.success, run.explain()
