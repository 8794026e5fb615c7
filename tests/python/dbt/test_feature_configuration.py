"""Configuring the features through real builds: changing them starts a new lineage, a
constant or absent one fails naming it, a warehouse table as input, units from the
headers, and quantiles beyond the memory budget."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from helpers.dbt_runs import copy_project, run_dbt, successful_build, successful_build_on
from helpers.exports import CARD_FEATURES, card_holders


def test_changing_the_features_starts_a_new_lineage(default_build, tmp_path):
    from helpers.dbt_runs import copy_database

    database = copy_database(default_build.database, tmp_path / "segmentation.duckdb")
    run = run_dbt(
        ["build"], database, dbt_vars={"segmentation_features": ["age", "spending_score"]}
    )
    assert run.success, run.explain()
    versions = run.query("select * from segment_model_versions order by model_version")
    assert versions.clustering_features.tolist() == [
        "annual_income,spending_score",
        "age,spending_score",
    ]
    current = versions.iloc[-1]
    assert current.kept_segment_count == 0 and current.new_segment_count == current.k
    ids = run.query("select segment_id from segment_profiles").segment_id
    assert ids.min() > 5  # never one of the first lineage's
    lineage = run.query("select * from segment_lineage where model_version = 2")
    assert (lineage.lineage_status == "retired").sum() == 5


@pytest.mark.parametrize(
    ("column", "values", "message"),
    [
        (
            {"column": "score"},
            [7.0] * 40,
            "The segmentation feature score is constant (standard deviation 0",
        ),
        (
            {"column": "tier", "kind": "categorical"},
            ["gold"] * 40,
            "The categorical segmentation feature tier has only one value ('gold')",
        ),
    ],
)
def test_a_feature_that_cannot_separate_customers_fails_naming_it(
    tmp_path, column, values, message
):
    rng = np.random.default_rng(0)
    table = pd.DataFrame({"customer_id": range(1, 41), "spend": rng.normal(50, 10, 40)})
    table[column["column"]] = values
    path = tmp_path / "customers.csv"
    table.to_csv(path, index=False)
    run = run_dbt(
        ["build"],
        tmp_path / "constant.duckdb",
        dbt_vars={"customers_file": str(path), "segmentation_features": ["spend", column]},
    )
    assert not run.success
    assert message in run.explain()


# agate warns that the seed config names a column the dropped-in file lacks.
@pytest.mark.filterwarnings("ignore:.*does not match the name of any column")
def test_a_seed_without_a_configured_column_fails_naming_it(tmp_path):
    project = copy_project(tmp_path / "project")
    seed = project / "seeds/raw/mall_customers.csv"
    table = pd.read_csv(seed)
    table.drop(columns="Annual Income (k$)").to_csv(seed, index=False)
    run = run_dbt(["build"], tmp_path / "seed.duckdb", project_dir=project)
    assert not run.success
    assert "missing the column 'annual_income' (segmentation feature annual_income)" in (
        run.explain()
    )


def test_a_warehouse_table_is_read_through_customers_relation(tmp_path):
    import duckdb

    database = tmp_path / "warehouse.duckdb"
    table = card_holders(300, seed=5)
    with duckdb.connect(str(database)) as connection:
        connection.execute("create schema crm")
        connection.register("cards", table.drop(columns="planted_group"))
        connection.execute("create table crm.card_holders as select * from cards")
    features = CARD_FEATURES[:3]
    run = run_dbt(
        ["build"],
        database,
        dbt_vars={"customers_relation": "crm.card_holders", "segmentation_features": features},
    )
    assert run.success, run.explain()
    assert set(run.query("select customer_id from customer_segments").customer_id) == set(
        table.CUST_ID
    )
    # A configured column the table lacks fails naming it, as on every input.
    missing = run_dbt(
        ["build"],
        database,
        dbt_vars={
            "customers_relation": "crm.card_holders",
            "segmentation_features": ["BALANCE", "loyalty_points"],
        },
    )
    assert not missing.success
    assert "missing the column 'loyalty_points'" in missing.explain()


def test_units_are_the_headers_not_the_malls(tmp_path):
    """A shop's income in dollars is shown in dollars, never as the mall's k$."""
    rng = np.random.default_rng(6)
    group = rng.integers(0, 2, 300)
    table = pd.DataFrame(
        {
            "CustomerID": range(1, 301),
            "Annual Income ($)": np.where(group == 0, 45_000, 95_000)
            + rng.normal(0, 5_000, 300).round(0),
            "Spending Score (1-100)": np.where(group == 0, 70, 25) + rng.integers(-5, 5, 300),
            "Visits (per month)": rng.integers(1, 9, 300),
        }
    )
    run = successful_build_on(
        tmp_path,
        "shop",
        table,
        profile_columns=["Visits (per month)"],
    )
    profiles = run.query("select * from segment_feature_profiles")
    units = profiles.drop_duplicates("feature_name").set_index("feature_name").unit
    assert units["annual_income"] == "$"
    assert units["visits_per_month"] == "per month"
    assert pd.isna(units["spending_score"])
    descriptions = " ".join(
        run.query("select segment_description from segment_profiles").segment_description
    )
    assert "k$" not in descriptions and " $" in descriptions


def test_medians_and_quartiles_beyond_the_memory_budget_come_from_a_repeatable_sample(
    tmp_path,
):
    # A budget of 200 values stands in for the 16 million of a large build: the 600
    # card holders' real-valued columns exceed it, their whole-number tenure does not
    # matter (counted exactly at any size).
    cards = card_holders()
    path = tmp_path / "credit_card.csv"
    cards.drop(columns="planted_group").to_csv(path, index=False)
    budget = 200
    card_vars = {
        "customers_file": str(path),
        "segmentation_features": CARD_FEATURES,
        "profile_columns": ["TENURE"],
    }
    imputation_sql = (
        "select imputation_value from segment_feature_scaling where feature_name = 'credit_limit'"
    )
    run = successful_build(tmp_path, "sampled", **card_vars, exact_quantile_value_limit=budget)
    limits = cards.CREDIT_LIMIT.dropna()

    # The imputation value of credit limit: the exact median of the customers whose id
    # hashes into the lowest budget / customers of the hash range, close to the median
    # of all of them.
    imputed = run.query(imputation_sql).imputation_value.item()
    sampled = run.query(
        "select median(credit_limit) as median_value, count(credit_limit) as n "
        "from int_customers_cleaned where hash(customer_id) / 18446744073709551616.0 < "
        f"{budget} / (select count(*) from int_customers_cleaned)"
    )
    assert 0 < sampled.n.item() < len(limits)
    assert imputed == pytest.approx(sampled.median_value.item())
    spread = limits.quantile(0.75) - limits.quantile(0.25)
    assert abs(imputed - limits.median()) < 0.15 * spread

    summary = run.query("select * from customer_feature_summary").set_index("feature_name")
    assert not summary.loc["credit_limit", "is_exact_quartiles"]
    for share, column in ((0.25, "first_quartile"), (0.5, "median_value")):
        assert abs(summary.loc["credit_limit", column] - limits.quantile(share)) < 0.2 * spread
    profiles = run.query("select * from segment_feature_profiles where feature_kind = 'numeric'")
    assert not profiles[profiles.feature_name == "credit_limit"].is_exact_median.any()

    # Within the default budget the same build imputes the exact median.
    exact = successful_build(tmp_path, "exact", **card_vars)
    assert exact.query(imputation_sql).imputation_value.item() == pytest.approx(limits.median())
