"""The benchmark's own parts, on small data (the benchmark itself is not a timed test)."""

import argparse

import numpy as np
import pandas as pd
import pytest

from customer_segmentation.devtools.benchmark import (
    HEADERS,
    TABLES,
    SizeResult,
    contingency_ari,
    floor_way,
    notebook_way,
    parse_sizes,
    render_markdown,
    render_text,
    score_against_planted,
    score_floor,
)
from customer_segmentation.devtools.harness import adjusted_rand, measure
from customer_segmentation.devtools.planted import write_planted_parquet


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
    assert markdown[2].endswith("| 5 | - | - | - | - | - | - | - | - | - | - |")
    floored = SizeResult(
        10_000_000, 280.0, 3000, 24.0, 22.0, 900, 0.09, 0.08, 0.3, 1.0, 1.0, 1.0, 5,
        floor_seconds=8.0, floor_peak_mb=300, build_to_floor_time=3.0,
        rebuild_to_floor_time=2.75, ari_floor_vs_planted=0.9988,
    )  # fmt: skip
    assert (
        render_markdown([floored])
        .splitlines()[2]
        .endswith("| 5 | 8.0 | 3.00 | 2.75 | 0.9988 | - | - | - | - | - | - |")
    )
    # Above the notebook's size only the build and the floor run.
    without_notebook = SizeResult(
        100_000_000, None, None, 140.7, 130.0, 946, None, None, None, 0.9989, None, None, 5,
        input_mb=710, database_mb=1700, publication_mb=2600,
        daily_seconds=120.5, daily_peak_mb=980, daily_to_rebuild_time=0.927,
    )  # fmt: skip
    assert render_markdown([without_notebook]).splitlines()[2] == (
        "| 100,000,000 | - | - | 140.7 | 130.0 | 946 | - | - | - | 0.9989 | - | - | 5 "
        "| - | - | - | - | 710 | 1700 | 2600 | 120.5 | 980 | 0.93 |"
    )


def test_the_adjusted_rand_index_from_counts_is_scikit_learns():
    from collections import Counter

    rng = np.random.default_rng(3)
    left = rng.integers(0, 4, 5_000)
    right = np.where(rng.random(5_000) < 0.8, left, rng.integers(0, 5, 5_000))
    cells = [(a, b, n) for (a, b), n in Counter(zip(left, right, strict=True)).items()]
    assert contingency_ari(cells) == pytest.approx(adjusted_rand(left, right), abs=1e-12)
    assert contingency_ari([(0, 7, 10), (1, 8, 5)]) == pytest.approx(1.0)


def test_a_build_is_scored_against_the_planted_segments_in_sql(tmp_path):
    import duckdb

    data, database = tmp_path / "planted.parquet", tmp_path / "build.duckdb"
    write_planted_parquet(data, 3_000)
    truth = pd.read_parquet(data)
    with duckdb.connect(str(database)) as connection:
        # A "build" that got the planted segments right but for 300 customers.
        connection.execute(
            "create table customer_segments as select CustomerID as customer_id, "
            "case when CustomerID <= 300 then 0 else planted_segment + 10 end as segment_id "
            f"from read_parquet('{data}')"
        )
        connection.execute("create table segment_k_selection as select 5 as k, true as is_selected")
    scored = score_against_planted(TABLES["mall"], data, database)
    built = np.where(truth["CustomerID"] <= 300, 0, truth["planted_segment"] + 10)
    expected = adjusted_rand(truth["planted_segment"], built)
    assert scored["ari_build_vs_planted"] == pytest.approx(expected, abs=1e-12)
    assert scored["selected_k"] == 5 and scored["ari_bare_vs_planted"] is None


def test_wide_notebook_way_imputes_transforms_encodes_and_finds_the_planted_segments(tmp_path):
    from customer_segmentation.devtools.benchmark import notebook_way_wide
    from customer_segmentation.devtools.planted import write_planted_wide_parquet

    data, labels = tmp_path / "wide.parquet", tmp_path / "labels.parquet"
    write_planted_wide_parquet(data, 3_000, chunk=1_000)
    notebook_way_wide(data, labels)
    result = pd.read_parquet(labels)
    assert len(result) == 3_000 and result["customer_id"].is_unique
    assert adjusted_rand(result["planted_segment"], result["segment"]) > 0.9


def test_each_table_builds_with_its_own_features(tmp_path):
    from customer_segmentation.devtools.benchmark import TABLES
    from customer_segmentation.devtools.planted import WIDE_FEATURES

    data = tmp_path / "x.parquet"
    assert TABLES["mall"].build_vars(data) == {"customers_file": str(data)}
    wide = TABLES["wide"].build_vars(data)
    assert wide["segmentation_features"] == WIDE_FEATURES and wide["profile_columns"] == []
    assert TABLES["transactions"].build_vars(data) == {"transactions_file": str(data)}


def test_planted_log_has_the_lines_asked_for_returns_and_lines_without_a_customer(tmp_path):
    from customer_segmentation.devtools.planted import (
        planted_customers_path,
        write_planted_transactions,
    )

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
    from customer_segmentation.devtools.benchmark import notebook_way_rfm
    from customer_segmentation.devtools.planted import (
        planted_customers_path,
        write_planted_transactions,
    )

    data, labels = tmp_path / "log.parquet", tmp_path / "labels.parquet"
    write_planted_transactions(data, 40_000, chunk=1_000)
    notebook_way_rfm(data, labels)
    result = pd.read_parquet(labels).merge(pd.read_parquet(planted_customers_path(data)))
    log = pd.read_parquet(data).dropna(subset=["CustomerID"])
    spent = (log["Quantity"] * log["UnitPrice"]).groupby(log["CustomerID"]).sum()
    assert set(result["customer_id"]) == set(spent[spent > 0].index)
    assert adjusted_rand(result["planted_segment"], result["segment"]) > 0.7


@pytest.mark.parametrize("table_name", ["mall", "wide"])
def test_the_daily_export_changes_one_percent_drops_and_adds_half_a_percent(tmp_path, table_name):
    from customer_segmentation.devtools.benchmark import DAILY_SHARES, write_daily_export
    from customer_segmentation.devtools.planted import write_planted_wide_parquet

    table = TABLES[table_name]
    data, daily = tmp_path / "planted.parquet", tmp_path / "daily.parquet"
    if table_name == "wide":
        write_planted_wide_parquet(data, 20_000, chunk=10_000)
    else:
        write_planted_parquet(data, 20_000)
    write_daily_export(table, data, daily)
    before = pd.read_parquet(data).set_index(table.id_column)
    after = pd.read_parquet(daily).set_index(table.id_column)
    assert list(after.columns) == list(before.columns) and after.index.is_unique

    kept = after.index.intersection(before.index)
    column = table.daily_change[0]
    changed = kept[before.loc[kept, column].ne(after.loc[kept, column])]
    gone = before.index.difference(after.index)
    new = after.index.difference(before.index)
    for found, kind in ((changed, "changed"), (gone, "gone"), (new, "new")):
        assert len(found) == pytest.approx(DAILY_SHARES[kind] * 20_000, rel=0.25), kind
    # Only the one column changed, and the new customers copy existing ones.
    assert before.loc[kept].drop(columns=column).equals(after.loc[kept].drop(columns=column))
    assert not set(new) & set(before.index)
