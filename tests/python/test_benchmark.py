"""The benchmark's own parts, on small data (the benchmark itself is not a timed test)."""

import argparse

import pandas as pd
import pytest

from customer_segmentation.benchmark import (
    HEADERS,
    SizeResult,
    adjusted_rand,
    floor_way,
    measure,
    notebook_way,
    parse_sizes,
    render_markdown,
    render_text,
    score_floor,
)
from customer_segmentation.planted import write_planted_parquet


def test_notebook_way_labels_every_customer_and_finds_the_planted_segments(tmp_path):
    data, labels = tmp_path / "planted.parquet", tmp_path / "labels.parquet"
    write_planted_parquet(data, 2_000)
    notebook_way(data, labels)
    result = pd.read_parquet(labels)
    assert len(result) == 2_000 and result["segment"].nunique() == 5
    assert adjusted_rand(result["planted_segment"], result["segment"]) > 0.95


def test_floor_assigns_every_customer_in_sql_and_finds_the_planted_segments(tmp_path):
    import duckdb

    data, database = tmp_path / "planted.parquet", tmp_path / "floor.duckdb"
    write_planted_parquet(data, 30_000)
    floor_way(data, database)
    with duckdb.connect(str(database), read_only=True) as connection:
        counts = connection.execute(
            "select count(*), count(distinct customer_id), count(distinct segment_id), "
            "min(segment_id) from segments"
        ).fetchone()
    assert counts == (30_000, 30_000, 5, 0)
    assert score_floor(data, database) > 0.95


def test_measure_reports_wall_time_peak_memory_and_exit_code(tmp_path):
    import sys

    grow = "x = bytearray(200 * 1024 * 1024); x[::4096] = b'1' * len(x[::4096])"
    measured = measure([sys.executable, "-c", grow], {}, tmp_path / "log")
    assert measured.exit_code == 0 and measured.wall_seconds > 0
    assert measured.peak_rss_mb > 200
    failed = measure([sys.executable, "-c", "raise SystemExit(3)"], {}, tmp_path / "log")
    assert failed.exit_code == 3


def test_sizes_parse_and_bad_ones_are_refused():
    assert parse_sizes("200,100_000, 1000000") == [200, 100_000, 1_000_000]
    with pytest.raises(argparse.ArgumentTypeError):
        parse_sizes("0")


def test_tables_have_one_line_per_size():
    result = SizeResult(200, 1.5, 220, 9.0, 6.0, 380, 6.0, 4.0, 1.7, 1.0, 1.0, 1.0, 5)
    markdown = render_markdown([result, result]).splitlines()
    assert len(markdown) == 4 and markdown[0].count("|") == len(HEADERS) + 1
    assert "| 200 | 1.5 | 220 | 9.0 | 6.0 | 380 | 6.000 | 4.000 | 1.70 |" in markdown[2]
    assert len(render_text([result]).splitlines()) == 2
    assert markdown[2].endswith("| 5 | - | - | - | - |")
    floored = SizeResult(
        10_000_000, 280.0, 3000, 24.0, 22.0, 900, 0.09, 0.08, 0.3, 1.0, 1.0, 1.0, 5,
        floor_seconds=8.0, floor_peak_mb=300, build_to_floor_time=3.0,
        rebuild_to_floor_time=2.75, ari_floor_vs_planted=0.9988,
    )  # fmt: skip
    assert render_markdown([floored]).splitlines()[2].endswith("| 5 | 8.0 | 3.00 | 2.75 | 0.9988 |")


def test_wide_notebook_way_imputes_transforms_encodes_and_finds_the_planted_segments(tmp_path):
    from customer_segmentation.benchmark import notebook_way_wide
    from customer_segmentation.planted import write_planted_wide_parquet

    data, labels = tmp_path / "wide.parquet", tmp_path / "labels.parquet"
    write_planted_wide_parquet(data, 3_000, chunk=1_000)
    notebook_way_wide(data, labels)
    result = pd.read_parquet(labels)
    assert len(result) == 3_000 and result["customer_id"].is_unique
    assert adjusted_rand(result["planted_segment"], result["segment"]) > 0.9


def test_each_table_builds_with_its_own_features(tmp_path):
    from customer_segmentation.benchmark import TABLES
    from customer_segmentation.planted import WIDE_FEATURES

    data = tmp_path / "x.parquet"
    assert TABLES["mall"].build_vars(data) == {"customers_file": str(data)}
    wide = TABLES["wide"].build_vars(data)
    assert wide["segmentation_features"] == WIDE_FEATURES and wide["profile_columns"] == []
    assert TABLES["transactions"].build_vars(data) == {"transactions_file": str(data)}


def test_planted_log_has_the_lines_asked_for_returns_and_lines_without_a_customer(tmp_path):
    from customer_segmentation.planted import planted_customers_path, write_planted_transactions

    data = tmp_path / "log.parquet"
    write_planted_transactions(data, 30_001, chunk=400)
    log = pd.read_parquet(data)
    planted = pd.read_parquet(planted_customers_path(data))
    assert len(log) == 30_001 and (log["Quantity"] < 0).any()
    assert log["CustomerID"].isna().any() and log["InvoiceNo"].is_monotonic_increasing
    # Every customer with a line has a planted group, once; no line points elsewhere.
    assert planted["customer_id"].is_unique
    assert set(log["CustomerID"].dropna()) <= set(planted["customer_id"])
    assert len(set(planted["customer_id"]) - set(log["CustomerID"].dropna())) < 0.01 * len(planted)


def test_rfm_notebook_way_scores_customers_who_spent_and_finds_the_planted_groups(tmp_path):
    from customer_segmentation.benchmark import notebook_way_rfm
    from customer_segmentation.planted import planted_customers_path, write_planted_transactions

    data, labels = tmp_path / "log.parquet", tmp_path / "labels.parquet"
    write_planted_transactions(data, 40_000, chunk=1_000)
    notebook_way_rfm(data, labels)
    result = pd.read_parquet(labels).merge(pd.read_parquet(planted_customers_path(data)))
    log = pd.read_parquet(data).dropna(subset=["CustomerID"])
    spent = (log["Quantity"] * log["UnitPrice"]).groupby(log["CustomerID"]).sum()
    assert set(result["customer_id"]) == set(spent[spent > 0].index)
    assert adjusted_rand(result["planted_segment"], result["segment"]) > 0.7
