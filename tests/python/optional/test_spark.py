"""Optional: the whole pipeline on local Spark gives the same results as on DuckDB.

Not in the fast suite: needs `pip install -r requirements-spark.txt` and Java 17, and
runs with `python -m pytest -m spark`. dbt-spark's session method cannot run dbt Python
models (it submits them only to Databricks), so spark_pipeline.py runs them on Spark
DataFrames as Databricks would, between dbt's stages of SQL models and tests.
"""

from __future__ import annotations

import io
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from customer_segmentation.devtools.planted import PLANTED_GROUPS, planted_customers
from helpers.dbt_runs import PROJECT_DIR, copy_project, run_dbt
from helpers.mall_rows import BAD_ROWS, ROUNDED_ROWS, ZERO_ID_ROW
from helpers.spark_pipeline import (
    SparkPipelineRun,
    build_pipeline_on_spark,
    local_spark_session,
    require_spark,
)

pytestmark = [
    pytest.mark.spark,
    # pyspark 3.5's pandas conversion uses APIs that pandas 3 deprecates.
    pytest.mark.filterwarnings("ignore:::pyspark"),
]

# The Python models, run on Spark DataFrames by spark_pipeline.py; the publication
# serves DuckDB readers and is left out there.
PYTHON_MODELS = (
    "int_segment_candidates_fitted",
    "int_segment_identity",
    "segment_algorithm_comparison",
)
SPARK_SCHEMA = "customer_segmentation_spark_test"
# Every mart and the key that orders its rows for comparison.
MARTS = {
    "customer_segments": ["customer_id"],
    "segment_profiles": ["segment_id"],
    "segment_feature_profiles": ["segment_id", "feature_name", "category"],
    "segment_campaigns": ["segment_id", "campaign_code"],
    "marketing_targets": ["campaign_code", "target_rank"],
    "segment_k_selection": ["k"],
    "segment_centroids": ["segment_id", "dimension_name"],
    "segment_feature_scaling": ["dimension_position"],
    "customer_quarantine": ["input_row_number"],
    "data_quality_summary": ["outcome_order"],
    "customer_feature_summary": ["feature_name"],
    "segment_model_registry": ["model_version", "k", "candidate_segment", "dimension_name"],
    "segment_model_versions": ["model_version"],
    "segment_lineage": ["model_version", "segment_id"],
    "segment_quality": ["check_name"],
    "customer_segment_history": ["customer_id", "segment_id"],
    "segment_migrations": ["from_segment_id", "to_segment_id", "migration_type"],
    "segment_algorithm_comparison": ["algorithm"],
}
# Columns made from each engine's own hash function or stamped with the build that
# wrote them, so expected to differ; so are measured times (every *_seconds column).
BUILD_STAMPS = ["fitted_at", "dbt_invocation_id"]
ENGINE_HASHED = {
    "marketing_targets": ["is_control_group"],
    "segment_model_registry": BUILD_STAMPS,
    "segment_model_versions": BUILD_STAMPS,
    "customer_segment_history": ["valid_from", "valid_to"],
    "segment_migrations": ["built_at", "dbt_invocation_id"],
}


def comparable(rows: pd.DataFrame, mart: str) -> pd.DataFrame:
    """A mart's rows without the columns expected to differ between engines."""
    differing = ENGINE_HASHED.get(mart, [])
    timed = [column for column in rows.columns if column.endswith("_seconds")]
    return rows.drop(columns=[*differing, *timed])


TOLERANCE = 1e-9
# Cells whose parsing could differ between engines: each row must get the same values
# and verdict on both. The rejected rows are the DuckDB suite's bad rows (id 1 conflicts
# with the bundled customer 1, whose copy is rejected too) and more; the accepted rows
# are odd spellings of good rows.
REJECTED_ROWS = [
    *BAD_ROWS,
    "508,Male,30,inf,50",
    '510,Male,30,"1,000",50',
    "512,Other,30,40,",
    "513,it's \\ odd,30,40,50",
]
ACCEPTED_ROWS = ["509,f, 31 ,1e2,50", "511,male,+30,40,50.0", *ROUNDED_ROWS, ZERO_ID_ROW]


@pytest.fixture(scope="module")
def spark(tmp_path_factory):
    """A local SparkSession whose warehouse and metastore live in a temporary folder."""
    require_spark()
    work = tmp_path_factory.mktemp("spark")
    # A few hundred rows: the default 200 shuffle partitions only cost time.
    with local_spark_session(
        work,
        "customer_segmentation_tests",
        cores=1,
        shuffle_partitions=1,
        environment={"SEGMENTATION_SPARK_SCHEMA": SPARK_SCHEMA},
    ) as session:
        yield session, work


def build_on_spark(
    session, work: Path, project_dir: Path = PROJECT_DIR, dbt_vars: dict | None = None
) -> SparkPipelineRun:
    """The whole pipeline on Spark, the Python models included (spark_pipeline.py), in
    the schema SEGMENTATION_SPARK_SCHEMA names, with the given vars."""
    started = time.perf_counter()
    run = build_pipeline_on_spark(session, work, project_dir, dbt_vars)
    seconds = ", ".join(f"{name} {took:.1f} s" for name, took in run.python_models.items())
    print(f"pipeline on Spark: {time.perf_counter() - started:.1f} s (Python models: {seconds})")
    return run


@pytest.fixture(scope="module")
def spark_build(spark):
    """The bundled seed, the whole pipeline on Spark."""
    session, work = spark
    return build_on_spark(session, work)


TEXT_ID_SCHEMA = "customer_segmentation_spark_text_ids"


@pytest.fixture(scope="module")
def text_id_builds(spark, tmp_path_factory):
    """The bundled seed with text ids (C1, C2, ...): a whole DuckDB build, and the
    whole pipeline on Spark."""
    session, _ = spark
    work = tmp_path_factory.mktemp("text_ids")
    project = copy_project(work / "project")
    seed = project / "seeds" / "raw" / "mall_customers.csv"
    lines = seed.read_text().splitlines()
    seed.write_text("\n".join([lines[0], *(f"C{line}" for line in lines[1:])]) + "\n")
    on_duckdb = run_dbt(["build"], work / "duckdb" / "text_ids.duckdb", project)
    assert on_duckdb.success, on_duckdb.explain()
    with pytest.MonkeyPatch.context() as env:
        env.setenv("SEGMENTATION_SPARK_SCHEMA", TEXT_ID_SCHEMA)
        build_on_spark(session, work / "spark", project)
    return on_duckdb


def spark_table(session, name: str) -> pd.DataFrame:
    return session.table(f"`{SPARK_SCHEMA}`.`{name}`").toPandas()


def same_rows(duckdb_rows: pd.DataFrame, spark_rows: pd.DataFrame, keys: list[str]) -> list[str]:
    """The columns whose values differ (numbers beyond TOLERANCE), with examples, or a
    shape problem; empty when the rows are the same."""
    if list(duckdb_rows.columns) != list(spark_rows.columns):
        return [f"columns differ: {list(duckdb_rows.columns)} vs {list(spark_rows.columns)}"]
    if len(duckdb_rows) != len(spark_rows):
        return [f"row counts differ: {len(duckdb_rows)} vs {len(spark_rows)}"]
    left = duckdb_rows.sort_values(keys, ignore_index=True)
    right = spark_rows.sort_values(keys, ignore_index=True)
    differing = []
    for column in left.columns:
        here, there = left[column], right[column]
        if pd.api.types.is_float_dtype(here) or pd.api.types.is_float_dtype(there):
            equal = np.isclose(
                here.astype(float),
                there.astype(float),
                rtol=TOLERANCE,
                atol=TOLERANCE,
                equal_nan=True,
            )
        else:
            equal = (here.isna() & there.isna()) | (here.astype(object) == there.astype(object))
        if not bool(np.all(equal)):
            examples = [
                f"{keys}={tuple(left.loc[row, keys])}: {here[row]!r} vs {there[row]!r}"
                for row in np.flatnonzero(~np.asarray(equal))[:3]
            ]
            differing.append(f"{column} differs, e.g. " + "; ".join(examples))
    return differing


def test_every_sql_model_and_data_test_runs_on_spark(spark_build):
    failed = {name: status for name, status in spark_build.statuses.items() if status != "success"}
    # Data tests report "pass"; the warn-level quarantine test passes on clean input;
    # exposures are "no-op".
    failed = {name: status for name, status in failed.items() if status not in ("pass", "no-op")}
    assert not failed, spark_build.explain()
    assert set(spark_build.python_models) == set(PYTHON_MODELS)
    assert "customer_segments" in spark_build.statuses


def test_spark_runs_every_node_the_duckdb_build_runs(spark_build, default_build):
    """Nothing is left out on Spark but the DuckDB publication and its tests."""
    on_duckdb = {name for name in default_build.statuses if "publication" not in name}
    assert on_duckdb - set(spark_build.statuses) == set()


def test_spark_assigns_every_customer_to_the_same_segment(spark, spark_build, default_build):
    session, _ = spark
    columns = "customer_id, segment_id, segment_name, distance_to_centroid"
    on_duckdb = default_build.query(f"select {columns} from customer_segments")
    on_spark = spark_table(session, "customer_segments")[columns.split(", ")]
    assert len(on_duckdb) == 200
    assert same_rows(on_duckdb, on_spark, ["customer_id"]) == []


@pytest.mark.parametrize("mart", MARTS)
def test_spark_mart_matches_duckdb(spark, spark_build, default_build, mart):
    session, _ = spark
    on_duckdb = comparable(default_build.query(f"select * from {mart}"), mart)
    on_spark = comparable(spark_table(session, mart), mart)
    assert same_rows(on_duckdb, on_spark, MARTS[mart]) == []
    if mart == "marketing_targets":
        # Still a share of the campaign, held back the same way on every build.
        assert spark_table(session, mart).is_control_group.notna().all()


@pytest.mark.parametrize("mart", MARTS)
def test_text_ids_give_the_same_marts_on_spark(spark, text_id_builds, mart):
    """Ids kept as text (C1, C2, ...): sampling, de-duplication, scoring, profiles and
    campaign lists agree with DuckDB row by row on Spark."""
    session, _ = spark
    on_duckdb = comparable(text_id_builds.query(f"select * from {mart}"), mart)
    on_spark = comparable(session.table(f"`{TEXT_ID_SCHEMA}`.`{mart}`").toPandas(), mart)
    assert same_rows(on_duckdb, on_spark, MARTS[mart]) == []
    if mart == "customer_segments":
        assert on_duckdb.customer_id.str.startswith("C").all() and len(on_duckdb) == 200


def staged_on_both(
    session,
    tmp_path: Path,
    monkeypatch,
    name: str,
    dbt_vars: dict,
    project_dir: Path = PROJECT_DIR,
    also: list[str] | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Staging alone (and `also`) built on DuckDB and on Spark with the same vars:
    both engines' stg_input__customers rows."""
    # Cautious: leave out the tests that also read marts this build does not make.
    selection = [
        *("--select", *(also or []), "stg_input__columns", "stg_input__customers"),
        *("--indirect-selection", "cautious"),
    ]
    on_duckdb = run_dbt(
        ["build", *selection], tmp_path / "duckdb" / f"{name}.duckdb", project_dir, dbt_vars
    )
    assert on_duckdb.success, on_duckdb.explain()
    schema = f"customer_segmentation_spark_{name}"
    monkeypatch.setenv("SEGMENTATION_SPARK_SCHEMA", schema)
    on_spark = run_dbt(
        ["build", "--target", "spark", *selection],
        tmp_path / "spark" / "unused.duckdb",
        project_dir,
        dbt_vars,
    )
    assert on_spark.success, on_spark.explain()
    return (
        on_duckdb.query("select * from stg_input__customers"),
        session.table(f"`{schema}`.`stg_input__customers`").toPandas(),
    )


def test_spark_parses_and_quarantines_bad_rows_like_duckdb(spark, tmp_path, monkeypatch):
    """Staging on a seed with bad cells: the same values and verdicts on both engines.

    Runs after the mart comparisons: it reloads the raw seed (seeds keep their own
    schema on Spark too)."""
    session, _ = spark
    project = copy_project(tmp_path / "project")
    seed = project / "seeds" / "raw" / "mall_customers.csv"
    lines = seed.read_text().splitlines()
    seed.write_text("\n".join([*lines, *REJECTED_ROWS, *ACCEPTED_ROWS, lines[6]]) + "\n")
    # Whole-number ids by choice: x7 and -3 are then rejected like the others (by
    # default they would make every id text).
    duckdb_rows, spark_rows = staged_on_both(
        session,
        tmp_path,
        monkeypatch,
        "bad_rows",
        {"customer_id_type": "integer"},
        project,
        ["mall_customers"],
    )
    assert duckdb_rows.is_quarantined.sum() == len(REJECTED_ROWS) + 1  # both copies of id 1
    assert duckdb_rows.is_exact_duplicate.sum() == 1
    assert same_rows(duckdb_rows, spark_rows, ["input_row_number"]) == []


FILE_SCHEMA = "customer_segmentation_spark_file"


def test_a_parquet_customers_file_builds_every_mart_on_spark_like_duckdb(
    spark, tmp_path, monkeypatch
):
    """customers_file on Spark: Parquet read in place, no table loaded by hand; every
    mart equal to the DuckDB build of the same file."""
    session, _ = spark
    export = pd.read_csv(PROJECT_DIR / "seeds" / "raw" / "mall_customers.csv")
    path = tmp_path / "customers.parquet"
    export.to_parquet(path)
    file_vars = {"customers_file": str(path)}
    on_duckdb = run_dbt(["build"], tmp_path / "duckdb" / "file.duckdb", dbt_vars=file_vars)
    assert on_duckdb.success, on_duckdb.explain()
    monkeypatch.setenv("SEGMENTATION_SPARK_SCHEMA", FILE_SCHEMA)
    build_on_spark(session, tmp_path / "spark", dbt_vars=file_vars)
    for mart, keys in MARTS.items():
        duckdb_rows = comparable(on_duckdb.query(f"select * from {mart}"), mart)
        spark_rows = comparable(session.table(f"`{FILE_SCHEMA}`.`{mart}`").toPandas(), mart)
        assert same_rows(duckdb_rows, spark_rows, keys) == [], mart
    assert len(on_duckdb.query("select * from customer_segments")) == len(export)


@pytest.mark.parametrize("delimiter", [",", "\t", ";"])
def test_a_csv_customers_file_is_parsed_on_spark_like_duckdb(
    spark, tmp_path, monkeypatch, delimiter
):
    """customers_file as CSV, TSV or semicolon-separated, with the bad cells of the
    seed test and a quoted value holding the delimiter: the same values, verdicts and
    row numbers on both engines."""
    session, _ = spark
    seed = (PROJECT_DIR / "seeds" / "raw" / "mall_customers.csv").read_text().splitlines()
    rows = [*seed, *REJECTED_ROWS, *ACCEPTED_ROWS, seed[6]]
    export = pd.read_csv(io.StringIO("\n".join(rows)), dtype=str, keep_default_na=False)
    export.loc[len(export)] = ["514", f"Fe{delimiter}male", "30", "40", "50"]
    suffix = ".tsv" if delimiter == "\t" else ".csv"
    path = tmp_path / f"customers{suffix}"
    export.to_csv(path, sep=delimiter, index=False)
    duckdb_rows, spark_rows = staged_on_both(
        session,
        tmp_path,
        monkeypatch,
        "csv",
        {"customers_file": str(path), "customer_id_type": "integer"},
    )
    assert len(duckdb_rows) == len(export)
    assert duckdb_rows.is_quarantined.sum() == len(REJECTED_ROWS) + 2  # id 1 twice, 514
    assert same_rows(duckdb_rows, spark_rows, ["input_row_number"]) == []


def test_a_customers_file_that_does_not_exist_fails_naming_it_on_spark(spark, tmp_path):
    missing = tmp_path / "no_such_export.csv"
    run = run_dbt(
        ["compile", "--target", "spark", "--select", "stg_input__columns"],
        tmp_path / "unused.duckdb",
        dbt_vars={"customers_file": str(missing)},
    )
    assert not run.success
    assert "no_such_export.csv" in run.explain()


LIFECYCLE_SCHEMA = "customer_segmentation_spark_lifecycle"


def numbered_builds(history: pd.DataFrame, migrations: pd.DataFrame):
    """History and migrations with each build's time stamp replaced by the build's
    number (1 = the first), so that two engines' builds compare: each wrote its own
    times."""
    builds = enumerate(sorted(migrations.built_at.unique()), start=1)
    numbers = {stamp: number for number, stamp in builds}
    history = history.assign(
        valid_from=history.valid_from.map(numbers),
        valid_to=history.valid_to.map(numbers).astype("Float64"),
    )
    migrations = migrations.assign(built_at=migrations.built_at.map(numbers)).drop(
        columns="dbt_invocation_id"
    )
    return history, migrations


def test_history_and_migrations_hold_across_four_builds_on_spark(spark, tmp_path, monkeypatch):
    """The DuckDB lifecycle's four builds (a first fit, movers and newcomers with a
    refit, newcomers scored without a refit, a segment gone and customers left) on both
    engines: the same type-2 history and migrations, build by build, on plain Parquet."""
    session, _ = spark
    monkeypatch.setenv("SEGMENTATION_SPARK_SCHEMA", LIFECYCLE_SCHEMA)
    rng = np.random.default_rng(5)
    week1 = planted_customers(1_000, seed=31)
    middle = week1.index[week1.CustomerID % 7 == 0]
    week2 = week1.copy()
    high = PLANTED_GROUPS[3]
    week2.loc[middle, "Annual Income (k$)"] = np.rint(rng.normal(high[1], high[2], len(middle)))
    week2.loc[middle, "Spending Score (1-100)"] = np.rint(rng.normal(high[3], high[4], len(middle)))
    newcomers = planted_customers(100, seed=32).assign(CustomerID=lambda f: f.CustomerID + 10_000)
    week2 = pd.concat([week2, newcomers], ignore_index=True)
    later = planted_customers(50, seed=33).assign(CustomerID=lambda f: f.CustomerID + 20_000)
    day8 = pd.concat([week2, later], ignore_index=True)
    week3 = day8[day8.CustomerID % 5 != 0]
    builds = [(week1, {}), (week2, {}), (day8, {"refit": False}), (week3, {})]
    for number, (customers, extra_vars) in enumerate(builds, start=1):
        path = tmp_path / f"build{number}.parquet"
        customers.drop(columns="planted_segment").to_parquet(path, index=False)
        build_vars = {"customers_file": str(path), **extra_vars}
        on_duckdb = run_dbt(["build"], tmp_path / "lifecycle.duckdb", dbt_vars=build_vars)
        assert on_duckdb.success, on_duckdb.explain()
        spark_run = build_on_spark(session, tmp_path / f"spark{number}", dbt_vars=build_vars)
        assert spark_run.statuses["assert_migrations_add_up"] == "pass"
        duckdb_history, duckdb_migrations = numbered_builds(
            on_duckdb.query("select * from customer_segment_history"),
            on_duckdb.query("select * from segment_migrations"),
        )
        spark_history, spark_migrations = numbered_builds(
            session.table(f"`{LIFECYCLE_SCHEMA}`.`customer_segment_history`").toPandas(),
            session.table(f"`{LIFECYCLE_SCHEMA}`.`segment_migrations`").toPandas(),
        )
        assert same_rows(duckdb_history, spark_history, ["customer_id", "valid_from"]) == []
        migration_keys = ["built_at", "from_segment_id", "to_segment_id", "migration_type"]
        assert same_rows(duckdb_migrations, spark_migrations, migration_keys) == []
        # One open row per current customer; the closed ones closed at a later build.
        open_rows = spark_history[spark_history.valid_to.isna()]
        assert sorted(open_rows.customer_id) == sorted(customers.CustomerID)
        closed = spark_history.dropna(subset=["valid_to"])
        assert (closed.valid_to > closed.valid_from).all()
    by_type = spark_migrations.groupby(["built_at", "migration_type"]).customer_count.sum()
    assert by_type[2]["joined"] == 100 and by_type[3].to_dict() == {"joined": 50, "stayed": 1_100}
    assert by_type[4]["left"] == len(day8) - len(week3)
