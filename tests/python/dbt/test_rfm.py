"""Transactions in, RFM segments out: real builds on order logs built here
(tests/python/exports.py), every recency, frequency, monetary value and score compared
with an independent computation in pandas."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from helpers.dbt_runs import run_dbt
from helpers.exports import transaction_log


def usable_lines(log: pd.DataFrame, as_of: str | None = None) -> pd.DataFrame:
    """The lines a build must use: a customer id, a readable date and numbers (and no
    date after as_of), with their amounts."""
    lines = log.copy()
    lines["time"] = pd.to_datetime(lines.InvoiceDate, format="%m/%d/%Y %H:%M", errors="coerce")
    lines["quantity"] = pd.to_numeric(lines.Quantity, errors="coerce")
    lines["price"] = pd.to_numeric(lines.UnitPrice, errors="coerce")
    keep = (
        lines.CustomerID.notna() & lines.time.notna() & lines.quantity.notna() & lines.price.notna()
    )
    if as_of is not None:
        keep &= lines.time.dt.normalize() <= pd.Timestamp(as_of)
    lines = lines[keep].copy()
    lines["customer_id"] = lines.CustomerID.astype("int64")
    lines["amount"] = lines.quantity * lines.price
    return lines


def expected_rfm(
    log: pd.DataFrame, by_order: bool, as_of: str | None = None, window_days: int | None = None
) -> pd.DataFrame:
    """The issue's definitions, computed another way: occasions are orders (or days),
    frequency counts those with a net amount above zero, recency is as_of minus the
    latest of them, monetary the sum of every line, rounded to cents; scores from
    pandas' min-method ranks."""
    lines = usable_lines(log, as_of)
    as_of_date = (
        pd.Timestamp(as_of) if as_of else lines.time.dt.normalize().max() + pd.Timedelta(days=1)
    )
    if window_days is not None:
        lines = lines[lines.time.dt.normalize() >= as_of_date - pd.Timedelta(days=window_days)]
    lines["occasion"] = lines.InvoiceNo if by_order else lines.time.dt.strftime("%Y-%m-%d")
    occasions = (
        lines.groupby(["customer_id", "occasion"])
        .agg(net=("amount", "sum"), time=("time", "max"))
        .reset_index()
    )
    bought = occasions[occasions.net > 1e-9]
    result = pd.DataFrame(
        {
            "frequency": bought.groupby("customer_id").size(),
            "last": bought.groupby("customer_id").time.max().dt.normalize(),
            "first": bought.groupby("customer_id").time.min().dt.normalize(),
        }
    ).reindex(lines.customer_id.unique())
    result["frequency"] = result.frequency.fillna(0).astype(int)
    result["monetary"] = lines.groupby("customer_id").amount.sum().round(2)
    result["recency_days"] = (as_of_date - result["last"]).dt.days
    result["tenure_days"] = (as_of_date - result["first"]).dt.days
    scored = result[result.frequency > 0].copy()
    count = len(scored)
    for score, column, ascending in [
        ("r_score", "recency_days", False),
        ("f_score", "frequency", True),
        ("m_score", "monetary", True),
    ]:
        rank = scored[column].rank(method="min", ascending=ascending).astype(int)
        scored[score] = np.minimum(5, 1 + (5 * (rank - 1)) // max(count - 1, 1))
    return result.join(scored[["r_score", "f_score", "m_score"]])


def build(tmp_path, name, log, **dbt_vars):
    path = tmp_path / f"{name}.csv"
    log.to_csv(path, index=False)
    run = run_dbt(
        ["build"],
        tmp_path / f"{name}.duckdb",
        dbt_vars={"transactions_file": str(path), **dbt_vars},
    )
    assert run.success, run.explain()
    return run


def compare(run, expected: pd.DataFrame) -> pd.DataFrame:
    built = run.query("select * from customer_rfm").set_index("customer_id").sort_index()
    expected = expected.sort_index()
    assert list(built.index) == list(expected.index)
    for column in ["frequency", "recency_days", "tenure_days", "r_score", "f_score", "m_score"]:
        left = built[column].astype("Float64")
        right = expected[column].astype("Float64")
        assert left.equals(right), column
    assert built.monetary.to_numpy() == pytest.approx(expected.monetary.to_numpy(), abs=1e-9)
    return built


def test_rfm_of_an_order_log_is_computed_and_scored_as_defined(tmp_path):
    log = transaction_log()
    run = build(tmp_path, "orders", log)
    built = compare(run, expected_rfm(log, by_order=True))

    # Only returns, or only zero amounts: listed, unscored, with the reason.
    for customer in (99001, 99002):
        row = built.loc[customer]
        assert not row.is_scored and pd.isna(row.rfm_segment)
        assert row.unscored_reason == "no purchase in the window: only returns or zero amounts"
    scored = built[built.is_scored]
    assert scored.rfm_segment.notna().all()
    assert (
        scored.rfm_score
        == scored.r_score.astype(str) + scored.f_score.astype(str) + scored.m_score.astype(str)
    ).all()
    # Ties at score boundaries share the lowest rank, so their score.
    assert scored.groupby("frequency").f_score.nunique().eq(1).all()
    assert scored.groupby("monetary").m_score.nunique().eq(1).all()

    # Every rejected line, with its reason; every line accounted for.
    quarantine = run.query("select * from transaction_quarantine order by line_number")
    assert sorted(quarantine.rejection_reason) == sorted(
        [
            "missing customer id",
            'date is not a date: "31/31/2011"',
            'unit price is not a number: "n/a"',
        ]
    )
    summary = (
        run.query(
            "select outcome, row_count from data_quality_summary where input_table = 'transactions'"
        )
        .set_index("outcome")
        .row_count
    )
    assert summary.to_dict() == {
        "transaction line in RFM": len(log) - 3,
        "transaction line before the RFM window": 0,
        "transaction line of a customer not in the customer table": 0,
        "transaction line quarantined": 3,
    }

    # The segmentation runs on the scored customers' recency, frequency and monetary
    # value, logged, and names segments by the RFM persona rules.
    segments = run.query("select * from customer_segments")
    assert set(segments.customer_id) == set(scored.index)
    assert {"recency_days", "frequency", "monetary", "average_order_value", "tenure_days"} <= set(
        segments.columns
    )
    scaling = run.query("select * from segment_feature_scaling")
    assert set(scaling.feature_name) == {"recency_days", "frequency", "monetary"}
    assert set(scaling["transform"]) == {"log"}
    summary = run.query("select * from rfm_segment_summary")
    assert summary.customer_count.sum() == len(scored)
    assert summary.revenue_share.sum() == pytest.approx(1.0)


def test_without_order_ids_an_occasion_is_a_day_and_the_window_and_as_of_hold(tmp_path):
    log = transaction_log(seed=8).drop(columns="InvoiceNo")
    as_of, window = "2011-11-30", 90
    run = build(tmp_path, "days", log, rfm_as_of=as_of, rfm_window_days=window)
    compare(run, expected_rfm(log, by_order=False, as_of=as_of, window_days=window))
    quarantine = run.query("select rejection_reason from transaction_quarantine")
    after = quarantine.rejection_reason.str.startswith("date after rfm_as_of 2011-11-30")
    expected_after = (usable_lines(log).time.dt.normalize() > pd.Timestamp(as_of)).sum()
    assert after.sum() == expected_after > 0
    summary = (
        run.query(
            "select outcome, row_count from data_quality_summary where input_table = 'transactions'"
        )
        .set_index("outcome")
        .row_count
    )
    lines = usable_lines(log, as_of)
    before = (lines.time.dt.normalize() < pd.Timestamp(as_of) - pd.Timedelta(days=window)).sum()
    assert summary["transaction line before the RFM window"] == before > 0
    assert summary.sum() == len(log)


def test_transaction_columns_name_an_amount_log(tmp_path):
    """A log with its own headers and an amount column, named in transaction_columns."""
    log = transaction_log(customer_count=60, seed=9)
    named = pd.DataFrame(
        {
            "client": log.CustomerID,
            "ordered_at": log.InvoiceDate,
            "ticket": log.InvoiceNo,
            "total": pd.to_numeric(log.Quantity, errors="coerce")
            * pd.to_numeric(log.UnitPrice, errors="coerce"),
        }
    )
    run = build(
        tmp_path,
        "amounts",
        named,
        transaction_columns={
            "customer_id": "client",
            "date": "ordered_at",
            "amount": "total",
            "order_id": "ticket",
        },
        segment_count=3,
    )
    expected = expected_rfm(
        log.assign(UnitPrice=pd.to_numeric(log.UnitPrice, errors="coerce")), by_order=True
    )
    built = run.query("select customer_id, frequency, monetary from customer_rfm").set_index(
        "customer_id"
    )
    assert built.frequency.sort_index().tolist() == expected.frequency.sort_index().tolist()


def customer_table_beside(log: pd.DataFrame) -> pd.DataFrame:
    """A customer table for a log, as a CRM exports it: most of the log's customers
    (ids written as whole numbers where the log writes floats), one with only returns,
    one who never bought, one row that is quarantined (an unreadable age), and one
    customer loaded twice; the log's last forty customers are missing from it."""
    ids = [12000 + index for index in range(200)] + [99001, 55555, 77777, 12000]
    rng = np.random.default_rng(3)
    table = pd.DataFrame(
        {
            "CustomerID": [str(customer) for customer in ids],
            "Gender": rng.choice(["Female", "Male"], len(ids)),
            "Age": rng.integers(18, 80, len(ids)).astype(str),
        }
    )
    table.loc[ids.index(77777), "Age"] = "abc"
    table.iloc[-1] = table.iloc[0]
    return table


def test_rfm_joins_a_customer_table_and_customers_without_a_purchase_are_reported(tmp_path):
    log = transaction_log()
    table = customer_table_beside(log)
    table_path = tmp_path / "crm.csv"
    table.to_csv(table_path, index=False)
    run = build(tmp_path, "joined", log, customers_file=str(table_path))

    # RFM and scores of the table's customers, ranked among those who bought.
    table_ids = {12000 + index for index in range(200)} | {99001, 55555}
    as_of = (usable_lines(log).time.max().normalize() + pd.Timedelta(days=1)).strftime("%Y-%m-%d")
    of_table = log[log.CustomerID.isin(table_ids)]
    expected = expected_rfm(of_table, by_order=True, as_of=as_of).reindex(sorted(table_ids))
    expected.loc[55555, ["frequency", "monetary"]] = 0
    built = compare(run, expected)
    assert built.loc[55555].unscored_reason == (
        "no purchase: no line in the transaction log or the RFM window"
    )
    assert built.loc[99001].unscored_reason == (
        "no purchase in the window: only returns or zero amounts"
    )
    assert not built.loc[[55555, 99001]].is_scored.any()

    # Those who bought are segmented, with the table's own columns as profiles.
    segments = run.query("select * from customer_segments")
    assert set(segments.customer_id) == table_ids - {55555, 99001}
    assert {"gender", "age", "average_order_value"} <= set(segments.columns)

    # Every row of the table and line of the log is accounted for.
    summary = run.query("select input_table, outcome, row_count from data_quality_summary")
    counts = summary.set_index(["input_table", "outcome"]).row_count
    assert counts["customers", "segmented"] == 200
    assert counts["customers", "not segmented: no purchase in the transaction log"] == 2
    assert counts["customers", "exact duplicate collapsed"] == 1
    assert counts["customers", "quarantined"] == 1
    lines = usable_lines(log)
    outside = (~lines.customer_id.isin(table_ids)).sum()
    assert counts["transactions", "transaction line of a customer not in the customer table"] == (
        outside
    )
    assert counts["transactions", "transaction line in RFM"] == len(lines) - outside
    assert counts["transactions"].sum() == len(log)
    assert counts["customers"].sum() == len(table)


def test_text_ids_join_verbatim_and_a_table_sharing_no_id_fails_clearly(tmp_path):
    log = transaction_log(customer_count=60, seed=11)
    log["CustomerID"] = log.CustomerID.map(
        lambda customer: None if pd.isna(customer) else f"C-{int(customer)}"
    )
    table = pd.DataFrame({"client_id": [f"C-{12000 + index}" for index in range(50)] + ["C-1"]})
    table_path = tmp_path / "clients.parquet"
    table.to_parquet(table_path)
    run = build(
        tmp_path,
        "text_ids",
        log,
        customers_file=str(table_path),
        customer_id_column="client_id",
        segment_count=3,
    )
    built = run.query("select * from customer_rfm").set_index("customer_id")
    assert set(built.index) == set(table.client_id)
    assert built.drop(index="C-1").is_scored.all() and not built.loc["C-1"].is_scored
    segments = run.query("select customer_id from customer_segments")
    assert len(segments) == 50

    # The table's ids written another way: nothing matches, and the build says so.
    table.assign(client_id=table.client_id.str.replace("C-", "K-")).to_parquet(table_path)
    failed = run_dbt(
        ["build"],
        tmp_path / "text_ids.duckdb",
        dbt_vars={
            "transactions_file": str(tmp_path / "text_ids.csv"),
            "customers_file": str(table_path),
            "customer_id_column": "client_id",
            "segment_count": 3,
        },
    )
    assert not failed.success
    assert "has a purchase in the transaction log" in failed.explain()


def fold_memory_statements(run) -> list[str]:
    """The memory-cap statements the build ran, from dbt's debug log."""
    log = (run.database.parent / "logs" / "dbt.log").read_text()
    lines = [line.strip() for line in log.splitlines()]
    return [line for line in lines if line.startswith("set memory_limit")]


def test_the_fold_alone_gets_a_larger_memory_cap_raised_never_lowered(tmp_path, monkeypatch):
    log = transaction_log(customer_count=40, seed=5)
    path = tmp_path / "log.csv"
    log.to_csv(path, index=False)

    def fold(name: str, **dbt_vars):
        (tmp_path / name).mkdir()
        return run_dbt(
            ["run", "--select", "stg_transactions__lines", "stg_transactions__customers"],
            tmp_path / name / "fold.duckdb",
            dbt_vars={"transactions_file": str(path), **dbt_vars},
        )

    # The build's cap (500MB) is raised for the fold and put back after it.
    raised = fold("raised")
    assert raised.success, raised.explain()
    assert fold_memory_statements(raised) == [
        "set memory_limit = '2GB';",
        "set memory_limit = coalesce(",
    ]
    folded = raised.query("select customer_id from stg_transactions__customers")
    assert set(folded.customer_id) == set(usable_lines(log).customer_id)

    # A build with a larger cap keeps it; null keeps any cap.
    monkeypatch.setenv("SEGMENTATION_DUCKDB_MEMORY_LIMIT", "4GB")
    kept = fold("kept")
    assert kept.success, kept.explain()
    assert fold_memory_statements(kept) == ["set memory_limit = coalesce("]
    monkeypatch.delenv("SEGMENTATION_DUCKDB_MEMORY_LIMIT")
    unset = fold("unset", transaction_fold_memory_limit=None)
    assert unset.success, unset.explain()
    assert fold_memory_statements(unset) == ["set memory_limit = coalesce("]

    # A size DuckDB would not read fails before the fold, naming the var.
    wrong = fold("wrong", transaction_fold_memory_limit="plenty")
    assert not wrong.success
    message = "transaction_fold_memory_limit must be a memory size such as 2GB or 1.5GiB"
    assert f'{message}, got "plenty"' in wrong.explain()
