"""The whole pipeline on local Spark, the dbt Python models included.

dbt-spark's session method refuses dbt Python models (it submits them only to
Databricks). This runs them the way Databricks would: dbt compiles each Python model
for the spark target, which appends the object dbt passes on Spark platforms (`ref`
and `source` resolved to Spark table names, `config` with the model's configured
values, `this`, `is_incremental`); the compiled file is run here with a local
SparkSession, so `dbt.ref()` returns pyspark DataFrames, and what `model(dbt,
session)` returns is written as a Spark table under the model's name. dbt builds
everything else in stages around them: first what no Python model feeds, then, after
each Python model, what it feeds and no later Python model does, and the tests that
only read it.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from helpers.dbt_runs import PROJECT_DIR, DbtRun, run_dbt

# Python models that serve DuckDB readers only: the publication copies DuckDB tables
# into DuckDB and Parquet files (other warehouses serve readers themselves).
DUCKDB_ONLY = ("publication",)


@dataclass
class SparkPipelineRun:
    """Every stage's dbt run, the Python models run here and the seconds each took."""

    stages: list[DbtRun] = field(default_factory=list)
    python_models: dict[str, float] = field(default_factory=dict)

    @property
    def statuses(self) -> dict[str, str]:
        """Every node's status across the stages, the Python models run on Spark included."""
        merged: dict[str, str] = {}
        for stage in self.stages:
            merged.update(stage.statuses)
        merged.update({name: "success" for name in self.python_models})
        return merged

    def explain(self) -> str:
        """The failing nodes' messages of every stage."""
        return "\n".join(message for stage in self.stages for message in stage.messages)


@contextmanager
def local_spark_session(
    work: Path,
    app_name: str,
    cores: int,
    shuffle_partitions: int,
    driver_memory: str = "1g",
    environment: dict[str, str] | None = None,
) -> Iterator:
    """A local SparkSession whose warehouse and Hive metastore live under `work`, with
    `environment` set while it lives; stopped on leaving. dbt-spark's session method
    calls SparkSession.builder.getOrCreate() in this same process, so dbt gets this
    session and tests can read and write its tables."""
    import pytest
    from pyspark.sql import SparkSession

    with pytest.MonkeyPatch.context() as env:
        for name, value in {"SPARK_LOCAL_IP": "127.0.0.1", **(environment or {})}.items():
            env.setenv(name, value)
        session = (
            SparkSession.builder.master(f"local[{cores}]")
            .appName(app_name)
            .config("spark.sql.warehouse.dir", str(work / "warehouse"))
            .config("spark.driver.extraJavaOptions", f"-Dderby.system.home={work / 'derby'}")
            .config(
                "spark.hadoop.javax.jdo.option.ConnectionURL",
                f"jdbc:derby:;databaseName={work / 'metastore_db'};create=true",
            )
            .config("spark.driver.memory", driver_memory)
            .config("spark.sql.shuffle.partitions", str(shuffle_partitions))
            .config("spark.ui.enabled", "false")
            .enableHiveSupport()
            .getOrCreate()
        )
        session.sparkContext.setLogLevel("ERROR")
        try:
            yield session
        finally:
            session.stop()


def dbt_arguments(work: Path, project_dir: Path) -> list[str]:
    """The dbt arguments that aim an invocation at the Spark target of `project_dir`."""
    return [
        *("--target", "spark", "--project-dir", str(project_dir)),
        *("--profiles-dir", str(project_dir), "--target-path", str(work / "target")),
        *("--log-path", str(work / "logs")),
    ]


def compiled_python_models(work: Path, project_dir: Path, dbt_vars: dict | None) -> list:
    """The enabled Python models compiled for the spark target, parents first, with
    the publication left out."""
    import json

    from dbt.cli.main import dbtRunner

    arguments = dbt_arguments(work, project_dir)
    if dbt_vars:
        arguments += ["--vars", json.dumps(dbt_vars)]
    manifest = dbtRunner().invoke(["parse", *arguments]).result
    nodes = {
        node.unique_id: node
        for node in manifest.nodes.values()
        if node.resource_type == "model"
        and node.language == "python"
        and node.name not in DUCKDB_ONLY
        and node.config.enabled
    }
    ordered: list = []
    while len(ordered) < len(nodes):
        ready = [
            node
            for node in nodes.values()
            if node not in ordered
            and set(node.depends_on.nodes) & set(nodes) <= {done.unique_id for done in ordered}
        ]
        assert ready, f"Python models that depend on each other: {sorted(nodes)}"
        ordered.extend(ready)
    compiled = dbtRunner().invoke(
        [
            *("compile", "--indirect-selection", "empty", "--select"),
            *(node.name for node in ordered),
            *arguments,
        ]
    )
    assert compiled.success, compiled.exception
    folder = work / "target" / "compiled"
    return [
        (node, (folder / node.package_name / node.original_file_path).read_text())
        for node in ordered
    ]


def run_python_model(session, node, compiled_code: str) -> None:
    """Run one compiled Python model as Databricks would and write its result."""
    namespace: dict = {}
    exec(compile(compiled_code, node.original_file_path, "exec"), namespace)
    dbt = namespace["dbtObj"](session.table)
    result = namespace["model"](dbt, session)
    frame = result if hasattr(result, "write") else session.createDataFrame(result)
    session.sql(f"create database if not exists `{node.schema}`")
    frame.write.format("parquet").mode("overwrite").saveAsTable(f"`{node.schema}`.`{node.alias}`")


def build_pipeline_on_spark(
    session,
    work: Path,
    project_dir: Path = PROJECT_DIR,
    dbt_vars: dict | None = None,
) -> SparkPipelineRun:
    """Everything on Spark: dbt's stages around the Python models, run here."""
    run = SparkPipelineRun()
    python_models = compiled_python_models(work / "compile", project_dir, dbt_vars)
    names = [node.name for node, _ in python_models]

    def stage(arguments: list[str], folder: str) -> None:
        built = run_dbt(
            [*arguments, "--target", "spark"],
            work / folder / "unused.duckdb",
            project_dir,
            dbt_vars=dbt_vars,
        )
        assert built.success, built.explain()
        run.stages.append(built)

    fed_by_python = [f"{name}+" for name in names] + list(DUCKDB_ONLY)
    stage(["build", "--exclude", *fed_by_python], "stage0")
    for position, (node, code) in enumerate(python_models, start=1):
        started = time.perf_counter()
        run_python_model(session, node, code)
        run.python_models[node.name] = time.perf_counter() - started
        later = [f"{name}+" for name in names[position:]] + list(DUCKDB_ONLY)
        # The tests that read only this model, then what it feeds and no later Python
        # model does (excluding the model excludes the tests that touch it).
        stage(
            ["test", "--select", node.name, "--indirect-selection", "cautious"],
            f"stage{position}_tests",
        )
        stage(
            ["build", "--select", f"{node.name}+", "--exclude", node.name, *later],
            f"stage{position}",
        )
    return run


def require_spark() -> None:
    """Skip unless pyspark, dbt-spark and Java are here."""
    for module, package in (("pyspark", "pyspark"), ("dbt.adapters.spark", "dbt-spark")):
        if importlib.util.find_spec(module) is None:
            pytest.skip(f"{package} is not installed: pip install -r requirements-spark.txt")
    if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
        pytest.skip("Spark needs Java (17) on PATH or JAVA_HOME")
