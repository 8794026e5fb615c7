"""Optional: every SQL model on local Spark gives the same results as on DuckDB.

Not in the fast suite: needs `pip install -r requirements-spark.txt` and Java 17, and
runs with `python -m pytest -m spark`. dbt-spark's session method cannot run dbt Python
models (it submits them only to Databricks), so the K-Means fit comes from a DuckDB
build: its table is written into Spark under the name `ref()` resolves to there, and
dbt builds everything else on Spark around it.
"""

from __future__ import annotations

import importlib.util
import io
import os
import shutil
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from conftest import PROJECT_DIR, copy_project, run_dbt
from test_dbt_build import BAD_ROWS, ROUNDED_ROWS, ZERO_ID_ROW

pytestmark = [
    pytest.mark.spark,
    # pyspark 3.5's pandas conversion uses APIs that pandas 3 deprecates.
    pytest.mark.filterwarnings("ignore:::pyspark"),
]

FITTED_MODEL = "int_segment_candidates_fitted"
# Python models: dbt-spark's session method cannot run them, so the DuckDB build's
# tables are written into Spark instead (on Databricks dbt runs them itself).
PYTHON_MODELS = (FITTED_MODEL, "int_segment_identity")
# Python models nothing on Spark needs: left out (publication writes DuckDB and
# Parquet files from the DuckDB build).
PYTHON_ONLY_ON_DUCKDB = ("segment_algorithm_comparison", "publication")
# The assignment history is incremental with delete+insert, which dbt-spark does not
# offer (its row-level strategy, merge, needs Delta); the local session writes plain
# Parquet, so the history and the migrations read from it are left out here.
NEEDS_DELTA = ("customer_segment_history", "segment_migrations", "assert_migrations_add_up")
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
}
# Columns made from each engine's own hash function, or stamped with the build that
# wrote them, so expected to differ.
BUILD_STAMPS = ["fitted_at", "dbt_invocation_id"]
ENGINE_HASHED = {
    "marketing_targets": ["is_control_group"],
    "segment_model_registry": BUILD_STAMPS,
    "segment_model_versions": BUILD_STAMPS,
}
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


def require_spark() -> None:
    for module, package in (("pyspark", "pyspark"), ("dbt.adapters.spark", "dbt-spark")):
        if importlib.util.find_spec(module) is None:
            pytest.skip(f"{package} is not installed: pip install -r requirements-spark.txt")
    if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
        pytest.skip("Spark needs Java (17) on PATH or JAVA_HOME")


@pytest.fixture(scope="module")
def spark(tmp_path_factory):
    """A local SparkSession whose warehouse and metastore live in a temporary folder.

    dbt-spark's session method calls SparkSession.builder.getOrCreate() in this same
    process, so dbt gets this session and the test can write tables into it."""
    require_spark()
    from pyspark.sql import SparkSession

    work = tmp_path_factory.mktemp("spark")
    with pytest.MonkeyPatch.context() as env:
        env.setenv("SPARK_LOCAL_IP", "127.0.0.1")
        env.setenv("SEGMENTATION_SPARK_SCHEMA", SPARK_SCHEMA)
        session = (
            SparkSession.builder.master("local[1]")
            .appName("customer_segmentation_tests")
            .config("spark.sql.warehouse.dir", str(work / "warehouse"))
            .config("spark.driver.extraJavaOptions", f"-Dderby.system.home={work / 'derby'}")
            .config(
                "spark.hadoop.javax.jdo.option.ConnectionURL",
                f"jdbc:derby:;databaseName={work / 'metastore_db'};create=true",
            )
            # A few hundred rows: the default 200 shuffle partitions only cost time.
            .config("spark.sql.shuffle.partitions", "1")
            .config("spark.ui.enabled", "false")
            .enableHiveSupport()
            .getOrCreate()
        )
        session.sparkContext.setLogLevel("ERROR")
        yield session, work
        session.stop()


def spark_relation(model: str, work: Path, project_dir: Path = PROJECT_DIR) -> str:
    """The schema-qualified name `ref(model)` resolves to on the spark target."""
    from dbt.cli.main import dbtRunner

    result = dbtRunner().invoke(
        [
            "parse",
            "--target",
            "spark",
            "--project-dir",
            str(project_dir),
            "--profiles-dir",
            str(project_dir),
            "--target-path",
            str(work / "target"),
            "--log-path",
            str(work / "logs"),
        ]
    )
    assert result.success, result.exception
    node = result.result.nodes[f"model.customer_segmentation.{model}"]
    return f"`{node.schema}`.`{node.alias}`"


def build_on_spark(
    session,
    work: Path,
    duckdb_build,
    project_dir: Path = PROJECT_DIR,
    dbt_vars: dict | None = None,
):
    """The DuckDB build's fit written into Spark, then `dbt build` of everything else
    on Spark (in the schema SEGMENTATION_SPARK_SCHEMA names), with the same vars."""
    for model in PYTHON_MODELS:
        relation = spark_relation(model, work, project_dir)
        session.sql(f"create database if not exists {relation.split('.')[0]}")
        (
            session.createDataFrame(duckdb_build.query(f"select * from {model}"))
            .write.format("parquet")
            .mode("overwrite")
            .saveAsTable(relation)
        )
    started = time.perf_counter()
    # run_dbt names its target and log folders after the "database" path's folder;
    # on the spark target no DuckDB file is opened.
    run = run_dbt(
        [
            *("build", "--target", "spark", "--exclude"),
            *(PYTHON_MODELS + NEEDS_DELTA + PYTHON_ONLY_ON_DUCKDB),
        ],
        work / "dbt" / "unused.duckdb",
        project_dir,
        dbt_vars=dbt_vars,
    )
    print(f"dbt build on Spark: {time.perf_counter() - started:.1f} s")
    assert run.success, run.explain()
    return run


@pytest.fixture(scope="module")
def spark_build(spark, default_build):
    """The default build's fit written into Spark, then everything else on Spark."""
    session, work = spark
    return build_on_spark(session, work, default_build)


TEXT_ID_SCHEMA = "customer_segmentation_spark_text_ids"


@pytest.fixture(scope="module")
def text_id_builds(spark, tmp_path_factory):
    """The bundled seed with text ids (C1, C2, ...): a whole DuckDB build, and the same
    on Spark with the DuckDB fit."""
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
        build_on_spark(session, work / "spark", on_duckdb, project)
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
    assert not set(PYTHON_MODELS) & set(spark_build.statuses)
    assert "customer_segments" in spark_build.statuses


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
    hashed = ENGINE_HASHED.get(mart, [])
    on_duckdb = default_build.query(f"select * from {mart}").drop(columns=hashed)
    on_spark = spark_table(session, mart).drop(columns=hashed)
    assert same_rows(on_duckdb, on_spark, MARTS[mart]) == []
    if hashed:
        # Still a share of the campaign, held back the same way on every build.
        assert spark_table(session, mart)[hashed].notna().all().all()


@pytest.mark.parametrize("mart", MARTS)
def test_text_ids_give_the_same_marts_on_spark(spark, text_id_builds, mart):
    """Ids kept as text (C1, C2, ...): sampling, de-duplication, scoring, profiles and
    campaign lists agree with DuckDB row by row on Spark."""
    session, _ = spark
    hashed = ENGINE_HASHED.get(mart, [])
    on_duckdb = text_id_builds.query(f"select * from {mart}").drop(columns=hashed)
    on_spark = session.table(f"`{TEXT_ID_SCHEMA}`.`{mart}`").toPandas().drop(columns=hashed)
    assert same_rows(on_duckdb, on_spark, MARTS[mart]) == []
    if mart == "customer_segments":
        assert on_duckdb.customer_id.str.startswith("C").all() and len(on_duckdb) == 200


def test_spark_parses_and_quarantines_bad_rows_like_duckdb(spark, tmp_path, monkeypatch):
    """Staging on a seed with bad cells: the same values and verdicts on both engines.

    Runs after the mart comparisons: it reloads the raw seed (seeds keep their own
    schema on Spark too)."""
    session, _ = spark
    project = copy_project(tmp_path / "project")
    seed = project / "seeds" / "raw" / "mall_customers.csv"
    lines = seed.read_text().splitlines()
    seed.write_text("\n".join([*lines, *REJECTED_ROWS, *ACCEPTED_ROWS, lines[6]]) + "\n")
    # Cautious: leave out the tests that also read marts this build does not make.
    selection = [
        "--select",
        "mall_customers",
        "stg_input__columns",
        "stg_input__customers",
        "--indirect-selection",
        "cautious",
    ]
    # Whole-number ids by choice: x7 and -3 are then rejected like the others (by
    # default they would make every id text).
    whole_ids = {"customer_id_type": "integer"}
    on_duckdb = run_dbt(
        ["build", *selection], tmp_path / "duckdb" / "bad.duckdb", project, dbt_vars=whole_ids
    )
    assert on_duckdb.success, on_duckdb.explain()
    schema = "customer_segmentation_spark_bad_rows"
    monkeypatch.setenv("SEGMENTATION_SPARK_SCHEMA", schema)
    on_spark = run_dbt(
        ["build", "--target", "spark", *selection],
        tmp_path / "spark" / "unused.duckdb",
        project,
        dbt_vars=whole_ids,
    )
    assert on_spark.success, on_spark.explain()
    duckdb_rows = on_duckdb.query("select * from stg_input__customers")
    spark_rows = session.table(f"`{schema}`.`stg_input__customers`").toPandas()
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
    build_on_spark(session, tmp_path / "spark", on_duckdb, dbt_vars=file_vars)
    for mart, keys in MARTS.items():
        hashed = ENGINE_HASHED.get(mart, [])
        duckdb_rows = on_duckdb.query(f"select * from {mart}").drop(columns=hashed)
        spark_rows = session.table(f"`{FILE_SCHEMA}`.`{mart}`").toPandas().drop(columns=hashed)
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
    selection = [
        *("--select", "stg_input__columns", "stg_input__customers"),
        *("--indirect-selection", "cautious"),
    ]
    file_vars = {"customers_file": str(path), "customer_id_type": "integer"}
    on_duckdb = run_dbt(
        ["build", *selection], tmp_path / "duckdb" / "csv.duckdb", dbt_vars=file_vars
    )
    assert on_duckdb.success, on_duckdb.explain()
    schema = "customer_segmentation_spark_csv"
    monkeypatch.setenv("SEGMENTATION_SPARK_SCHEMA", schema)
    on_spark = run_dbt(
        ["build", "--target", "spark", *selection],
        tmp_path / "spark" / "unused.duckdb",
        dbt_vars=file_vars,
    )
    assert on_spark.success, on_spark.explain()
    duckdb_rows = on_duckdb.query("select * from stg_input__customers")
    spark_rows = session.table(f"`{schema}`.`stg_input__customers`").toPandas()
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
