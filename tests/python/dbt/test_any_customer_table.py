"""Any customer table: real `dbt build` runs on exports shaped like the tables users
bring (tests/python/helpers/exports.py): text ids, UUIDs or none, dozens of columns, skewed
money columns, junk categories, missing values, tabs. Each asserts that no good row is
lost and every bad one has its reason."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from sklearn.cluster import KMeans

from customer_segmentation.report.queries import model_space
from helpers.dbt_runs import run_dbt, successful_build, successful_build_on
from helpers.exports import (
    CARD_FEATURES,
    JUNK_STATUSES,
    card_holders,
    marketing,
    uuid_ids,
    wholesale,
)


def quarantine_reasons(run, id_header: str) -> dict:
    """Each quarantined row's raw id (read back out of raw_values) and its reasons."""
    rows = run.query("select raw_values, rejection_reason from customer_quarantine")
    return {
        json.loads(values)[id_header]: reason
        for values, reason in zip(rows.raw_values, rows.rejection_reason, strict=True)
    }


def assert_at_a_kmeans_optimum(run) -> None:
    """With every customer in the sample, the fit's within-segment sum of squares (in
    the model space) is at most 2% above the best of scikit-learn's KMeans(n_init=10)
    on the same rows and k."""
    points = run.query("select * from int_customers_standardised order by customer_id")
    matrix = points.drop(columns="customer_id").to_numpy(float)
    sampled = run.query("select count(*) as n from int_customers_sampled").n[0]
    assert sampled == len(points)
    k = run.query("select k from segment_k_selection where is_selected").k[0]
    ours = (
        run.query("select distance_to_centroid from customer_segments").distance_to_centroid ** 2
    ).sum()
    best = KMeans(n_clusters=int(k), n_init=10, random_state=0).fit(matrix).inertia_
    assert ours <= 1.02 * best, (ours, best)


def test_card_holders_with_text_ids_and_log_money_columns(tmp_path):
    cards = card_holders()
    good = cards.drop(columns="planted_group")
    bad = pd.DataFrame(
        [
            {**good.iloc[0].to_dict(), "CUST_ID": "C90001", "BALANCE": -5.0},
            {**good.iloc[1].to_dict(), "CUST_ID": "C90002", "PURCHASES": "n/a"},
            {**good.iloc[2].to_dict(), "CUST_ID": "C90003", "CREDIT_LIMIT": 60_000},
            {**good.iloc[3].to_dict(), "CUST_ID": None},
            # The same id twice with different values: both copies are rejected.
            {**good.iloc[4].to_dict(), "CUST_ID": "C90005", "TENURE": 7},
            {**good.iloc[4].to_dict(), "CUST_ID": "C90005", "TENURE": 8},
        ]
    )
    # An exact copy of a good row collapses into one customer.
    rows = pd.concat([good, bad, good.iloc[[10]]], ignore_index=True)
    run = successful_build_on(
        tmp_path,
        "cards",
        rows,
        segmentation_features=CARD_FEATURES,
        profile_columns=["TENURE"],
    )

    segments = run.query("select * from customer_segments")
    assert segments.customer_id.map(type).eq(str).all()
    assert set(segments.customer_id) == set(good.CUST_ID)
    assert list(segments.columns) == [
        "customer_id",
        "segment_id",
        "segment_name",
        "balance",
        "purchases",
        "cash_advance",
        "credit_limit",
        "tenure",
        "distance_to_centroid",
        "is_outlier",
        "has_imputed_value",
    ]
    reasons = quarantine_reasons(run, "CUST_ID")
    assert reasons == {
        "C90001": "balance is negative, and its log transform needs 0 or more: -5.0",
        "C90002": 'purchases is not a number: "n/a"',
        "C90003": "credit limit outside the range 100-50000: 60000.0",
        None: "missing customer id",
        "C90005": "conflicting duplicate: customer id C90005 appears 2 times with different values",
    }
    assert len(run.query("select * from customer_quarantine")) == 6

    # Missing credit limits are imputed with the median of the others, and said so.
    missing = set(good.CUST_ID[good.CREDIT_LIMIT.isna()])
    imputed = segments[segments.has_imputed_value]
    assert set(imputed.customer_id) == missing and imputed.credit_limit.isna().all()
    summary = (
        run.query("select * from data_quality_summary where input_table = 'customers'")
        .set_index("outcome")
        .row_count
    )
    assert summary.to_dict() == {
        "segmented": len(good) - len(missing),
        "segmented, fractional value rounded": 0,
        "segmented, missing value imputed": len(missing),
        "exact duplicate collapsed": 1,
        "not segmented: no purchase in the transaction log": 0,
        "quarantined": 6,
    }
    scaling = run.query("select * from segment_feature_scaling").set_index("feature_name")
    assert scaling.at["credit_limit", "imputation_value"] == good.CREDIT_LIMIT.median()
    filled = good.CREDIT_LIMIT.fillna(good.CREDIT_LIMIT.median())
    assert scaling.at["credit_limit", "feature_mean"] == pytest.approx(filled.mean())
    assert scaling.at["credit_limit", "feature_std"] == pytest.approx(filled.std(ddof=0))
    logged = np.log1p(good.BALANCE.astype(float))
    assert scaling.at["balance", "feature_mean"] == pytest.approx(logged.mean())
    assert scaling.at["balance", "feature_std"] == pytest.approx(logged.std(ddof=0))
    assert scaling.at["balance", "transform"] == "log"

    # The three planted groups, named from what distinguishes them (no mall rule holds).
    profiles = run.query("select * from segment_profiles")
    assert len(profiles) == 3 and profiles.segment_name.is_unique
    assert not profiles.is_rule_named.any()
    joined = segments.merge(
        cards[["CUST_ID", "planted_group"]], left_on="customer_id", right_on="CUST_ID"
    )
    assert pd.crosstab(joined.segment_id, joined.planted_group).gt(0).sum(axis=1).eq(1).all()
    # Every segment gets the default campaign: no conditioned one is written for them.
    campaigns = run.query("select * from segment_campaigns")
    assert set(campaigns.campaign_code) == {"general_engagement"} and len(campaigns) == 3
    assert_at_a_kmeans_optimum(run)


def test_marketing_table_tab_separated_with_a_categorical_feature(tmp_path):
    table = marketing()
    path = tmp_path / "marketing_campaign.csv"  # tab-separated despite the name
    table.drop(columns="planted_group").to_csv(path, sep="\t", index=False)
    assert len(table.columns) - 1 == 31  # planted_group is not exported
    run = successful_build(
        tmp_path,
        "marketing",
        customers_file=str(path),
        segmentation_features=[
            {"column": "Income", "missing": "mean"},
            {"column": "MntWines", "transform": "log"},
            {"column": "Marital_Status", "kind": "categorical", "missing": "most_frequent"},
        ],
        profile_columns=["Education", "Kidhome"],
    )
    segments = run.query("select * from customer_segments")
    # The id column is ID, whole numbers: kept as whole numbers.
    assert set(segments.customer_id) == set(table.ID) and segments.customer_id.dtype == "int64"
    assert run.query("select count(*) as n from customer_quarantine").n[0] == 0

    scaling = run.query("select * from segment_feature_scaling order by dimension_position")
    assert scaling.at[0, "imputation_value"] == pytest.approx(table.Income.mean())
    statuses = scaling[scaling.feature_name == "marital_status"]
    # Every category held by at least 1% of customers, most frequent first; the junk
    # values (one customer each) get no dimension.
    counts = table.Marital_Status.fillna(table.Marital_Status.mode()[0]).value_counts()
    vocabulary = counts[counts / len(table) >= 0.01]
    assert statuses.category.tolist() == vocabulary.index.tolist()
    assert statuses.imputation_category.unique().tolist() == [table.Marital_Status.mode()[0]]
    assert statuses.dimension_scale.to_numpy() == pytest.approx(np.full(len(statuses), 0.5**0.5))

    # Customers with a junk status are segmented as given, with no indicator set.
    junk = segments[segments.marital_status.isin(JUNK_STATUSES)]
    assert sorted(junk.marital_status) == sorted(JUNK_STATUSES)
    placed = run.query("select * from int_customers_standardised")
    junk_placed = placed[placed.customer_id.isin(junk.customer_id)]
    indicators = [column for column in placed.columns if column.startswith("marital_status__")]
    assert (junk_placed[indicators] == 0).all().all()
    # The customer whose status is missing takes the most frequent one.
    missing = segments[segments.customer_id == table.ID[7]]
    assert missing.has_imputed_value.item() and missing.marital_status.isna().item()

    profiles = run.query("select * from segment_feature_profiles")
    education = profiles[profiles.feature_name == "education"]
    assert set(education.category) <= {*table.Education.unique()}
    assert education.groupby("segment_id").category_share.sum().to_numpy() == pytest.approx(1.0)
    statuses_profiled = profiles[profiles.feature_name == "marital_status"]
    assert set(statuses_profiled.feature_kind) == {"categorical"}
    assert statuses_profiled.is_clustering_feature.all()
    assert_at_a_kmeans_optimum(run)


def test_a_table_without_ids_numbers_its_rows(tmp_path):
    table = wholesale()
    # A free-text profile column with gaps and junk: described, never a reason to
    # reject a row.
    table["Account_Manager"] = ["Ana", "Bo", None, "n/a", "Bo", "#REF!"] * (len(table) // 6)
    # Frozen goods in whole units, a few missing: imputed with the most frequent.
    table["Frozen"] = (table.Frozen // 1000).astype("Int64")
    table.loc[[4, 9, 19], "Frozen"] = pd.NA
    run = successful_build_on(
        tmp_path,
        "wholesale",
        table,
        customer_id_column="none",
        segmentation_features=[
            *({"column": column, "transform": "log"} for column in ["Fresh", "Milk", "Grocery"]),
            {"column": "Frozen", "missing": "most_frequent"},
        ],
        profile_columns=["Channel", "Region", "Account_Manager"],
    )
    segments = run.query("select * from customer_segments order by customer_id")
    assert segments.customer_id.tolist() == list(range(1, len(table) + 1))
    assert run.query("select count(*) as n from customer_quarantine").n[0] == 0
    assert segments.account_manager.isna().sum() == table.Account_Manager.isna().sum()
    scaling = run.query("select * from segment_feature_scaling").set_index("feature_name")
    counts = table.Frozen.value_counts()
    most_frequent = min(counts[counts == counts.max()].index)  # ties: the smallest
    assert scaling.at["frozen", "imputation_value"] == most_frequent
    assert set(segments[segments.has_imputed_value].customer_id) == {5, 10, 20}
    assert segments.fresh.tolist() == table.Fresh.astype(float).tolist()
    log = (tmp_path / "logs" / "dbt.log").read_text()
    assert "customer_id_column is none: each customer's id is the position of its row" in log
    channel = run.query("select * from segment_feature_profiles where feature_name = 'channel'")
    assert set(channel.feature_kind) == {"numeric"}


def test_uuid_ids_scored_without_refit_on_a_changed_file(tmp_path):
    """refit: false scores a changed file with everything stored in the model version:
    its features (whatever the var says now), imputation values, transforms, scaling
    and vocabulary. Unchanged customers keep their segment; changed and new ones,
    unseen categories included, are scored like the stored model says."""
    rng = np.random.default_rng(8)
    table = pd.DataFrame({"customer_uuid": uuid_ids(500)})
    group = rng.integers(0, 3, 500)
    table["spend"] = np.expm1(np.array([4.0, 6.0, 8.0])[group] + rng.normal(0, 0.3, 500)).round(2)
    table["visits"] = (np.array([2, 10, 25])[group] + rng.normal(0, 1, 500)).round(0)
    table.loc[rng.choice(500, 15, replace=False), "visits"] = np.nan
    table["plan"] = np.array(["basic", "plus", "premium"])[group]
    features = [
        {"column": "spend", "transform": "log"},
        {"column": "visits", "missing": "median"},
        {"column": "plan", "kind": "categorical"},
    ]

    def build_on_export(day: str, export: pd.DataFrame, **dbt_vars):
        """A day's export as Parquet, built into the one CRM database."""
        path = tmp_path / f"{day}.parquet"
        export.to_parquet(path, index=False)
        run = run_dbt(
            ["build"],
            tmp_path / "crm.duckdb",
            dbt_vars={"customers_file": str(path), "customer_id_column": "customer_uuid"}
            | dbt_vars,
        )
        assert run.success, run.explain()
        return run

    first = build_on_export("day1", table, segmentation_features=features)
    assigned_1 = first.query("select customer_id, segment_id from customer_segments")
    # No two UUIDs hash alike: staging skipped its duplicate handling.
    staging = next((tmp_path / "target" / "compiled").rglob("stg_input__customers.sql"))
    assert "repeated_ids" not in staging.read_text()

    # Next day: 20 customers gone, 30 changed (more visits), 25 new ones, some on a
    # plan the model never saw, some without visits; the var now names other features.
    day2 = table.iloc[20:].copy()
    changed = day2.index[:30]
    day2.loc[changed, "visits"] = 40.0
    new = pd.DataFrame(
        {
            "customer_uuid": uuid_ids(25, seed=9),
            "spend": np.expm1(rng.normal(6.0, 0.3, 25)).round(2),
            "visits": [np.nan] * 5 + list(rng.normal(10, 1, 20).round(0)),
            "plan": ["enterprise"] * 10 + ["plus"] * 15,
        }
    )
    day2 = pd.concat([day2, new], ignore_index=True)
    second = build_on_export("day2", day2, refit=False, segmentation_features=["spend"])
    assert second.query("select max(model_version) as v from segment_model_versions").v[0] == 1
    segments = second.query("select * from customer_segments")
    assert set(segments.customer_id) == set(day2.customer_uuid)
    assert {"visits", "plan"} <= set(segments.columns)

    # Every customer where the stored model puts them.
    scaling = second.query("select * from segment_feature_scaling order by dimension_position")
    centroids = second.query("select * from segment_centroids")
    table_c = centroids.pivot(index="segment_id", columns="dimension_name", values="centroid_value")
    table_c = table_c[scaling.dimension_name.tolist()]
    ordered = segments.set_index("customer_id").loc[day2.customer_uuid].reset_index()
    placed = model_space(ordered, scaling)
    distances = ((placed[:, None, :] - table_c.to_numpy()[None, :, :]) ** 2).sum(axis=2)
    expected = table_c.index.to_numpy()[distances.argmin(axis=1)]
    assert (expected == ordered.segment_id.to_numpy()).all()
    # The unseen plan has no dimension of its own: those customers are scored by the
    # rest, and kept.
    assert "enterprise" not in set(scaling.category)
    assert ordered.plan.eq("enterprise").sum() == 10
    # Nobody unchanged moved.
    kept = assigned_1.merge(segments, on="customer_id", suffixes=("_1", "_2"))
    unchanged = kept[~kept.customer_id.isin(table.customer_uuid[changed])]
    assert (unchanged.segment_id_1 == unchanged.segment_id_2).all()
    history = second.query("select * from customer_segment_history where valid_to is null")
    assert set(history.customer_id) == set(day2.customer_uuid)
    migrations = (
        second.query(
            "select migration_type, sum(customer_count) as n from segment_migrations "
            "where built_at = (select max(built_at) from segment_migrations) group by 1"
        )
        .set_index("migration_type")
        .n
    )
    assert migrations["joined"] == 25 and migrations["left"] == 20
