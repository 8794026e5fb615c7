"""At a million customers on local Spark: the whole pipeline (spark_pipeline.py) on a
Parquet file, against the DuckDB build of the same file.

Slow (minutes) and needs requirements-spark.txt and Java 17: `python -m pytest -m slow
-s tests/python/test_spark_scale.py` runs it and prints both engines' wall time and
peak memory, and how far their samples and assignments agree.
"""

from __future__ import annotations

import resource
import time
from pathlib import Path

import pytest

from customer_segmentation.devtools.harness import adjusted_rand
from customer_segmentation.devtools.planted import planted_customers
from helpers.dbt_runs import run_dbt
from helpers.spark_pipeline import build_pipeline_on_spark, local_spark_session, require_spark

pytestmark = [pytest.mark.slow, pytest.mark.filterwarnings("ignore:::pyspark")]

ROWS = 1_000_000
SCHEMA = "customer_segmentation_spark_scale"


def peak_resident_mb(pid: int) -> float:
    """A live process's peak resident set (VmHWM), in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise ValueError(f"no VmHWM for process {pid}")


@pytest.fixture(scope="module")
def scale_session(tmp_path_factory):
    require_spark()
    work = tmp_path_factory.mktemp("spark_scale")
    # Both cores and room for a million rows; a few partitions per core.
    with local_spark_session(
        work, "customer_segmentation_scale", cores=2, shuffle_partitions=4, driver_memory="4g"
    ) as session:
        yield session, work


def test_a_million_customers_build_on_spark_like_on_duckdb(scale_session, monkeypatch):
    session, work = scale_session
    customers = planted_customers(ROWS, seed=41)
    path = work / "customers.parquet"
    customers.drop(columns="planted_segment").to_parquet(path, index=False)
    build_vars = {"customers_file": str(path)}

    started = time.perf_counter()
    on_duckdb = run_dbt(["build"], work / "duckdb" / "scale.duckdb", dbt_vars=build_vars)
    duckdb_seconds = time.perf_counter() - started
    assert on_duckdb.success, on_duckdb.explain()
    python_peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    monkeypatch.setenv("SEGMENTATION_SPARK_SCHEMA", SCHEMA)
    started = time.perf_counter()
    on_spark = build_pipeline_on_spark(session, work / "spark", dbt_vars=build_vars)
    spark_seconds = time.perf_counter() - started
    jvm_peak_mb = peak_resident_mb(session.sparkContext._gateway.proc.pid)

    def table(name: str, engine: str):
        if engine == "duckdb":
            return on_duckdb.query(f"select * from {name}")
        return session.table(f"`{SCHEMA}`.`{name}`").toPandas()

    segments = table("customer_segments", "duckdb").merge(
        table("customer_segments", "spark"), on="customer_id", suffixes=("_duckdb", "_spark")
    )
    assert len(segments) == ROWS
    agreement = adjusted_rand(segments.segment_id_duckdb, segments.segment_id_spark)
    planted = customers.set_index("CustomerID").planted_segment
    duckdb_vs_planted = adjusted_rand(planted.loc[segments.customer_id], segments.segment_id_duckdb)
    spark_vs_planted = adjusted_rand(planted.loc[segments.customer_id], segments.segment_id_spark)
    samples = [
        set(table("int_customers_sampled", engine).customer_id) for engine in ("duckdb", "spark")
    ]
    shared_sample = len(samples[0] & samples[1]) / len(samples[0])
    print(
        f"\n{ROWS:,} customers: DuckDB build {duckdb_seconds:.1f} s "
        f"(this process's peak {python_peak_mb:.0f} MB); Spark pipeline {spark_seconds:.1f} s "
        f"(JVM peak {jvm_peak_mb:.0f} MB; Python models "
        + ", ".join(f"{name} {took:.1f} s" for name, took in on_spark.python_models.items())
        + f"); samples share {shared_sample:.1%} of their customers; ARI Spark vs DuckDB "
        f"{agreement:.4f}, vs planted: DuckDB {duckdb_vs_planted:.4f}, "
        f"Spark {spark_vs_planted:.4f}"
    )
    assert agreement >= 0.99
    for mart in ("segment_profiles", "marketing_targets", "data_quality_summary"):
        assert len(table(mart, "spark")) == len(table(mart, "duckdb")), mart
