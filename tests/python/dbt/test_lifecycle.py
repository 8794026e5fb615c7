"""Segment lifecycle, as a user lives it: build, change the data, rebuild, score
without refitting. Real `dbt build` runs on one DuckDB file that persists between them."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from customer_segmentation.devtools.planted import PLANTED_GROUPS, planted_customers
from customer_segmentation.in_dbt.clustering import fit_candidate
from customer_segmentation.in_dbt.settings import ALGORITHMS
from helpers.dbt_runs import run_dbt

FIT_NODES = (
    "int_feature_statistics",
    "int_customers_sampled",
    "int_segment_candidates_fitted",
    "int_segment_bands_fitted",
    "int_segment_personas_fitted",
    "int_segment_identity",
)


def segment_centroids(run) -> pd.DataFrame:
    """The current model's centroids in the features' own units, one row per segment
    (centroid_<feature> columns), with segment_id and segment_name."""
    long = run.query("select * from segment_centroids")
    wide = long.pivot(index="segment_id", columns="feature_name", values="centroid_original")
    wide.columns = [f"centroid_{feature}" for feature in wide.columns]
    names = long.drop_duplicates("segment_id").set_index("segment_id").segment_name
    return wide.join(names).reset_index().sort_values("segment_id", ignore_index=True)


def build(tmp_path, customers: pd.DataFrame, name: str, **dbt_vars):
    path = tmp_path / f"{name}.parquet"
    customers.drop(columns="planted_segment", errors="ignore").to_parquet(path, index=False)
    run = run_dbt(
        ["build"],
        tmp_path / "lifecycle.duckdb",
        dbt_vars={"customers_file": str(path), **dbt_vars},
    )
    assert run.success, run.explain()
    return run


def latest_migrations(run) -> pd.DataFrame:
    return run.query(
        "select * from segment_migrations"
        " where built_at = (select max(built_at) from segment_migrations)"
    )


def test_ids_and_names_follow_segments_and_scoring_moves_nobody(tmp_path):
    customers = planted_customers(3_000, seed=21)
    first = build(tmp_path, customers, "week1")
    centroids_1 = segment_centroids(first)
    assigned_1 = first.query("select customer_id, segment_id from customer_segments")
    assert centroids_1.segment_id.tolist() == [1, 2, 3, 4, 5]
    assert (latest_migrations(first).migration_type == "joined").all()

    # The model scores the customers it was fitted on exactly as the fit labelled them.
    sample = first.query("select * from int_customers_sampled order by customer_id")
    labels = fit_candidate(
        sample[["annual_income_z", "spending_score_z"]].to_numpy(), 5, 42, 10, 3_000
    ).labels
    scored = sample[["customer_id"]].merge(assigned_1, on="customer_id")
    assert (scored.segment_id.to_numpy() == labels + 1).all()

    # Next week: 300 new customers, and 150 of the middle group now earn and spend like
    # the high-high group. K-Means may number its clusters differently; ids and names
    # must stay with the segments.
    rng = np.random.default_rng(3)
    middle = customers.index[customers.planted_segment == 2]
    movers = rng.choice(middle, 150, replace=False)
    week2 = customers.copy()
    high = PLANTED_GROUPS[3]
    week2.loc[movers, "Annual Income (k$)"] = np.rint(rng.normal(high[1], high[2], 150))
    week2.loc[movers, "Spending Score (1-100)"] = np.rint(rng.normal(high[3], high[4], 150))
    newcomers = planted_customers(300, seed=22)
    newcomers["CustomerID"] += 100_000
    week2 = pd.concat([week2, newcomers], ignore_index=True)
    second = build(tmp_path, week2, "week2")

    versions = second.query("select * from segment_model_versions order by model_version")
    assert versions.model_version.tolist() == [1, 2]
    assert versions.kept_segment_count.tolist() == [0, 5]
    centroids_2 = segment_centroids(second)
    assert centroids_2.segment_id.tolist() == [1, 2, 3, 4, 5]
    assert centroids_2.segment_name.tolist() == centroids_1.segment_name.tolist()
    drift = (centroids_2.centroid_annual_income - centroids_1.centroid_annual_income).abs()
    assert drift.max() < 5  # k$: the same segments, not a relabelling
    lineage = second.query("select * from segment_lineage where model_version = 2")
    assert set(lineage.lineage_status) == {"kept"}

    assigned_2 = second.query("select customer_id, segment_id from customer_segments")
    both = assigned_1.merge(assigned_2, on="customer_id", suffixes=("_1", "_2"))
    moved = both[both.segment_id_1 != both.segment_id_2]
    high_high = centroids_2.loc[centroids_2.centroid_spending_score.idxmax(), "segment_id"]
    assert set(customers.loc[movers, "CustomerID"]) <= set(moved.customer_id)
    assert (
        moved.set_index("customer_id").loc[customers.loc[movers, "CustomerID"]].segment_id_2
        == high_high
    ).all()
    migrations = latest_migrations(second)
    by_type = migrations.groupby("migration_type").customer_count.sum().to_dict()
    assert by_type == {"joined": 300, "moved": len(moved), "stayed": 3_000 - len(moved)}
    expected_moves = moved.groupby(["segment_id_1", "segment_id_2"]).size()
    reported_moves = (
        migrations[migrations.migration_type == "moved"]
        .set_index(["from_segment_id", "to_segment_id"])
        .customer_count
    )
    assert expected_moves.to_dict() == reported_moves.to_dict()

    # Daily refresh without a refit: new customers are scored with version 2 in SQL;
    # nobody already there moves, no fitting node runs, no version is added.
    later = planted_customers(200, seed=23)
    later["CustomerID"] += 200_000
    # The model is scored on the features it was fitted on, whatever the var says now.
    third = build(
        tmp_path,
        pd.concat([week2, later], ignore_index=True),
        "day8",
        refit=False,
        segmentation_features=["age", "annual_income"],
    )
    assert not set(FIT_NODES) & set(third.statuses)
    assert third.query("select max(model_version) as v from segment_model_registry").v[0] == 2
    # ... and staging read the model's own columns, not the var's.
    assert set(third.query("select * from customer_segments").columns) >= {
        "annual_income",
        "spending_score",
    }
    assigned_3 = third.query("select customer_id, segment_id from customer_segments")
    kept = assigned_2.merge(assigned_3, on="customer_id", suffixes=("_2", "_3"))
    assert len(kept) == 3_300 and (kept.segment_id_2 == kept.segment_id_3).all()
    assert len(assigned_3) == 3_500
    by_type = latest_migrations(third).groupby("migration_type").customer_count.sum().to_dict()
    assert by_type == {"joined": 200, "stayed": 3_300}

    # A segment disappears and a genuinely new one appears: its id is new, the lost
    # one is retired, the others keep theirs. A quality floor set too high warns.
    low_high = customers.planted_segment == 1
    week3 = customers[~low_high].copy()
    wealthy = planted_customers(330, seed=24)
    wealthy["CustomerID"] += 300_000
    wealthy["Annual Income (k$)"] = np.rint(rng.normal(160, 6, 330))
    wealthy["Spending Score (1-100)"] = np.rint(rng.normal(50, 6, 330))
    fourth = build(
        tmp_path, pd.concat([week3, wealthy], ignore_index=True), "week3", min_silhouette=0.99
    )
    lineage = fourth.query(
        "select * from segment_lineage where model_version = 3 order by segment_id"
    )
    statuses = dict(zip(lineage.segment_id, lineage.lineage_status, strict=True))
    lost = centroids_1.loc[
        (centroids_1.centroid_annual_income < 40) & (centroids_1.centroid_spending_score > 60),
        "segment_id",
    ].item()
    assert statuses.pop(lost) == "retired"
    assert statuses.pop(6) == "new"
    assert set(statuses.values()) == {"kept"}
    assert fourth.statuses["segment_quality_silhouette_above_floor"] == "warn"
    quality = fourth.query("select * from segment_quality").set_index("check_name")
    assert not quality.at["silhouette", "passed"] and quality.at["stability_ari", "passed"]


def test_scoring_before_any_model_exists_says_what_to_do(tmp_path):
    run = run_dbt(["build"], tmp_path / "empty.duckdb", dbt_vars={"refit": False})
    assert not run.success
    assert "run one build with refit: true" in run.explain()


@pytest.mark.parametrize("algorithm", ["gmm", "ward", "dbscan"])
def test_every_algorithm_builds_every_mart(tmp_path, algorithm):
    from helpers.mall_rows import MARTS

    run = run_dbt(
        ["build"], tmp_path / f"{algorithm}.duckdb", dbt_vars={"segment_algorithm": algorithm}
    )
    assert run.success, run.explain()
    from helpers.mall_rows import EMPTY_ON_THE_SEED

    for mart in MARTS:
        if mart not in EMPTY_ON_THE_SEED:
            assert len(run.query(f"select * from {mart}")) > 0, mart
    versions = run.query("select algorithm, k from segment_model_versions")
    assert versions.algorithm.tolist() == [algorithm]
    segments = run.query("select segment_id, count(*) as n from customer_segments group by 1")
    assert len(segments) == versions.k[0] and segments.n.sum() == 200
    comparison = run.query("select * from segment_algorithm_comparison")
    assert sorted(comparison.algorithm) == ["dbscan", "gmm", "kmeans", "ward"]


def test_edited_persona_rules_rename_kept_segments_only_when_asked(default_build, tmp_path):
    from helpers.dbt_runs import copy_database, copy_project

    project = copy_project(tmp_path / "project")
    rules = project / "seeds/reference/persona_definitions.csv"
    rules.write_text(rules.read_text().replace("Affluent Enthusiasts", "Big Spenders"))
    database = tmp_path / "renamed.duckdb"
    copy_database(default_build.database, database)
    before = default_build.query("select segment_id, segment_name from segment_profiles order by 1")

    kept = run_dbt(["build"], database, project_dir=project)
    assert kept.success, kept.explain()
    names = kept.query("select segment_id, segment_name from segment_profiles order by 1")
    pd.testing.assert_frame_equal(names, before)

    renamed = run_dbt(
        ["build"], database, project_dir=project, dbt_vars={"keep_segment_names": False}
    )
    assert renamed.success, renamed.explain()
    names = renamed.query("select segment_id, segment_name from segment_profiles order by 1")
    changed = before.merge(names, on="segment_id", suffixes=("_before", "_after"))
    assert len(changed) == 5  # every id carried over
    differing = changed[changed.segment_name_before != changed.segment_name_after]
    assert differing[["segment_name_before", "segment_name_after"]].values.tolist() == [
        ["Affluent Enthusiasts", "Big Spenders"]
    ]


def test_default_build_compares_the_four_algorithms(default_build):
    frame = default_build.query("select * from segment_algorithm_comparison")
    assert sorted(frame.algorithm) == sorted(ALGORITHMS)
    by_algorithm = frame.set_index("algorithm")
    assert by_algorithm.at["kmeans", "adjusted_rand_vs_kmeans"] == 1.0
    assert by_algorithm.at["kmeans", "is_default"]
    assert set(frame.k) == {5} and set(frame.row_count) == {200}
