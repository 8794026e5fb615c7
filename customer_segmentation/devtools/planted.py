"""Customers with planted segments, for benchmarks and scale tests.

Five income x spending groups shaped like mall customer data, tight enough that a good
segmentation recovers them almost exactly; the planted group is written alongside as
`planted_segment` (an extra column the pipeline ignores).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

# (share, income mean, income sd, spending mean, spending sd, age mean, age sd)
PLANTED_GROUPS = (
    (0.12, 26.0, 5.0, 20.0, 6.0, 45.0, 12.0),
    (0.11, 26.0, 5.0, 79.0, 6.0, 25.0, 5.0),
    (0.40, 55.0, 6.0, 50.0, 6.0, 43.0, 15.0),
    (0.19, 87.0, 7.0, 82.0, 6.0, 33.0, 5.0),
    (0.18, 88.0, 7.0, 17.0, 6.0, 41.0, 11.0),
)
COLUMNS = ["CustomerID", "Gender", "Age", "Annual Income (k$)", "Spending Score (1-100)"]


# Rows drawn and written at a time above which the planted file is written in chunks.
PLANTED_CHUNK_ROWS = 10_000_000


def planted_customers(
    row_count: int,
    seed: int | list[int] = 7,
    *,
    groups=PLANTED_GROUPS,
    spread: float = 1.0,
    fractional: bool = False,
) -> pd.DataFrame:
    """`row_count` customers with ids 1..N in random group order, deterministic.

    `groups` are (share, income mean, income sd, spending mean, spending sd, age mean,
    age sd) tuples; `spread` multiplies every income and spending sd (the groups
    overlap more as it grows); `fractional` keeps income and spending score to two
    decimals instead of whole numbers (scores stay within 1-100 either way)."""
    rng = np.random.default_rng(seed)
    shares = np.array([group[0] for group in groups])
    labels = rng.choice(len(groups), size=row_count, p=shares / shares.sum())
    params = np.array([group[1:] for group in groups], dtype=float)[labels]
    noise = rng.standard_normal((row_count, 3))
    settle = (lambda values: np.round(values, 2)) if fractional else np.rint
    income = np.clip(settle(params[:, 0] + noise[:, 0] * params[:, 1] * spread), 1, 200)
    spending = np.clip(settle(params[:, 2] + noise[:, 1] * params[:, 3] * spread), 1, 100)
    age = np.clip(np.rint(params[:, 4] + noise[:, 2] * params[:, 5]), 18, 90)
    gender = np.where(rng.random(row_count) < 0.56, "Female", "Male")
    number_type = np.float64 if fractional else np.int64
    return pd.DataFrame(
        {
            "CustomerID": np.arange(1, row_count + 1, dtype=np.int64),
            "Gender": gender,
            "Age": age.astype(np.int64),
            "Annual Income (k$)": income.astype(number_type),
            "Spending Score (1-100)": spending.astype(number_type),
            "planted_segment": labels.astype(np.int64),
        }
    )


def write_planted_parquet(path, row_count: int, seed: int = 7, **shape) -> None:
    """Write `planted_customers` to Parquet. Up to PLANTED_CHUNK_ROWS rows in one draw;
    above, a chunk at a time (ids continue from chunk to chunk, each chunk drawn from
    its own seed, [seed, chunk number]), so memory stays that of one chunk: a hundred
    million rows drawn at once take more than 24 GB."""
    if row_count <= PLANTED_CHUNK_ROWS:
        planted_customers(row_count, seed, **shape).to_parquet(path, index=False)
        return

    def draw(size: int, number: int, start: int) -> pd.DataFrame:
        chunk = planted_customers(size, [seed, number], **shape)
        chunk["CustomerID"] += start
        return chunk

    write_parquet_in_chunks(path, row_count, PLANTED_CHUNK_ROWS, draw)


def write_parquet_in_chunks(path, row_count: int, chunk_rows: int, draw) -> None:
    """Write `row_count` rows to one Parquet file, `chunk_rows` at a time:
    `draw(size, chunk number, first row position)` gives each chunk's frame."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    writer = None
    try:
        for number, start in enumerate(range(0, row_count, chunk_rows)):
            frame = draw(min(chunk_rows, row_count - start), number, start)
            table = pa.Table.from_pandas(frame, preserve_index=False)
            if writer is None:
                writer = pq.ParquetWriter(path, table.schema)
            writer.write_table(table)
    finally:
        if writer is not None:
            writer.close()


# The wide table: a retailer's customer export with UUID ids, eight numeric columns and
# one categorical. Per group: share, then the mean of each numeric column (money
# columns as ln(1 + x) means), then the plan's probabilities.
WIDE_NUMERIC = (
    "spend_groceries",
    "spend_fashion",
    "spend_electronics",
    "visits_per_month",
    "tenure_months",
    "basket_items",
    "returns_share",
    "income",
)
WIDE_LOGGED = ("spend_groceries", "spend_fashion", "spend_electronics")
WIDE_PLANS = ("basic", "plus", "premium", "family")
WIDE_GROUPS = (
    # share, groceries, fashion, electronics, visits, tenure, items, returns, income, plan
    (0.30, 6.5, 3.0, 2.5, 6.0, 30.0, 12.0, 0.03, 38_000.0, (0.6, 0.2, 0.05, 0.15)),
    (0.20, 5.0, 7.0, 3.5, 3.0, 18.0, 5.0, 0.15, 52_000.0, (0.2, 0.5, 0.25, 0.05)),
    (0.20, 4.5, 4.0, 7.5, 2.0, 40.0, 3.0, 0.06, 80_000.0, (0.1, 0.3, 0.55, 0.05)),
    (0.15, 7.5, 5.5, 5.0, 9.0, 60.0, 20.0, 0.04, 95_000.0, (0.05, 0.15, 0.3, 0.5)),
    (0.15, 3.0, 2.0, 1.5, 1.0, 6.0, 2.0, 0.10, 30_000.0, (0.7, 0.2, 0.05, 0.05)),
)
# Spread of each numeric column within a group (money columns on the log scale).
WIDE_SPREAD = (0.35, 0.35, 0.35, 1.0, 6.0, 2.0, 0.02, 7_000.0)
WIDE_MISSING_COLUMN = "income"
WIDE_MISSING_SHARE = 0.05
# The build's feature spec for the wide table, as segmentation_features.
WIDE_FEATURES = [
    *({"column": name, "transform": "log"} for name in WIDE_LOGGED),
    *(
        {"column": name, "missing": "median"} if name == WIDE_MISSING_COLUMN else name
        for name in WIDE_NUMERIC
        if name not in WIDE_LOGGED
    ),
    {"column": "plan", "kind": "categorical"},
]


def uuid_texts(rng: np.random.Generator, row_count: int) -> np.ndarray:
    """`row_count` random UUIDs (version 4 layout) as text, built without a Python loop."""
    raw = rng.integers(0, 256, (row_count, 16), dtype=np.uint8)
    raw[:, 6] = (raw[:, 6] & 0x0F) | 0x40
    raw[:, 8] = (raw[:, 8] & 0x3F) | 0x80
    hexed = np.frombuffer(raw.tobytes().hex().encode("ascii"), dtype="S1").reshape(row_count, 32)
    dash = np.full((row_count, 1), b"-", dtype="S1")
    parts = [hexed[:, :8], dash, hexed[:, 8:12], dash, hexed[:, 12:16], dash]
    parts += [hexed[:, 16:20], dash, hexed[:, 20:]]
    joined = np.ascontiguousarray(np.concatenate(parts, axis=1)).view("S36").ravel()
    return joined.astype("U36")


def planted_wide_customers(row_count: int, seed: int = 7) -> pd.DataFrame:
    """`row_count` wide customers with five planted groups, deterministic: customer_id
    (UUID text), WIDE_NUMERIC (5% of incomes missing), plan, planted_segment."""
    rng = np.random.default_rng(seed)
    shares = np.array([group[0] for group in WIDE_GROUPS])
    labels = rng.choice(len(WIDE_GROUPS), size=row_count, p=shares / shares.sum())
    frame = pd.DataFrame({"customer_id": uuid_texts(rng, row_count)})
    means = np.array([group[1:9] for group in WIDE_GROUPS])[labels]
    noise = rng.standard_normal((row_count, len(WIDE_NUMERIC))) * np.array(WIDE_SPREAD)
    values = means + noise
    for index, name in enumerate(WIDE_NUMERIC):
        column = values[:, index]
        if name in WIDE_LOGGED:
            # Money: ln(1 + x) drawn around the group's mean, never below 0 (no spend).
            column = np.round(np.expm1(np.maximum(column, 0.0)), 2)
        elif name == "returns_share":
            column = np.clip(column, 0, 1).round(3)
        else:
            column = np.clip(np.rint(column), 0, None)
        frame[name] = column
    frame.loc[rng.random(row_count) < WIDE_MISSING_SHARE, WIDE_MISSING_COLUMN] = np.nan
    plan_probabilities = np.array([group[9] for group in WIDE_GROUPS])[labels]
    cumulative = plan_probabilities.cumsum(axis=1)
    frame["plan"] = np.array(WIDE_PLANS)[(rng.random((row_count, 1)) > cumulative).sum(axis=1)]
    frame["planted_segment"] = labels.astype(np.int64)
    return frame


def write_planted_wide_parquet(path, row_count: int, seed: int = 7, chunk: int = 1_000_000):
    """The wide table as Parquet, written a million rows at a time (bounded memory);
    each chunk is drawn with its own seed, so the file is the same on every run."""
    write_parquet_in_chunks(
        path,
        row_count,
        chunk,
        lambda size, number, start: planted_wide_customers(size, seed * 1_000 + number),
    )


# The transaction log: an online shop's order lines (InvoiceNo, CustomerID, InvoiceDate,
# Quantity, UnitPrice, as the public online retail exports spell them) for customers in
# five planted RFM groups. Per group: share, mean orders beyond the first, days from the
# last order to the as-of date (a floor, then an exponential tail's mean), the longest
# span from first to last order in days, and ln(unit price) mean.
TRANSACTION_GROUPS = (
    (0.15, 14.0, 0.0, 12.0, 900.0, 3.4),  # frequent, recent, high value
    (0.15, 8.0, 180.0, 60.0, 700.0, 3.4),  # were frequent and high value, lapsing
    (0.20, 0.4, 0.0, 20.0, 30.0, 2.7),  # new: one or two recent orders
    (0.30, 1.0, 400.0, 150.0, 200.0, 2.0),  # one or two small orders long ago
    (0.20, 4.0, 0.0, 60.0, 500.0, 2.5),  # regular mid-value buyers
)
TRANSACTION_LINES_PER_ORDER = 2.6  # beyond the first line: about 20 lines a customer
TRANSACTION_RETURN_SHARE = 0.015  # lines that are returns (negative quantity)
TRANSACTION_MISSING_ID_SHARE = 0.005  # lines without a customer id (quarantined)
TRANSACTION_AS_OF = np.datetime64("2026-01-01")


def planted_transaction_chunk(
    customer_count: int, first_customer_id: int, first_order_id: int, seed: int
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Order lines of `customer_count` customers numbered from `first_customer_id`, and
    their planted groups (customer_id, planted_segment), deterministic for a seed."""
    rng = np.random.default_rng(seed)
    groups = np.array(TRANSACTION_GROUPS)
    labels = rng.choice(len(groups), size=customer_count, p=groups[:, 0] / groups[:, 0].sum())
    group = groups[labels]
    orders = 1 + rng.poisson(group[:, 1])
    last_day_ago = 1 + np.floor(group[:, 2] + rng.exponential(group[:, 3]))
    span = rng.random(customer_count) * group[:, 4]
    order_customer = np.repeat(np.arange(customer_count), orders)
    # The first order of each customer is their last; the others fall within the span.
    offset = rng.random(order_customer.size) * span[order_customer]
    offset[np.cumsum(orders) - orders] = 0
    order_day = TRANSACTION_AS_OF - (last_day_ago[order_customer] + np.floor(offset)).astype(
        "timedelta64[D]"
    )
    order_time = order_day.astype("datetime64[s]") + rng.integers(
        8 * 3600, 22 * 3600, order_customer.size
    ).astype("timedelta64[s]")
    lines = 1 + rng.poisson(TRANSACTION_LINES_PER_ORDER, order_customer.size)
    line_order = np.repeat(np.arange(order_customer.size), lines)
    line_customer = order_customer[line_order]
    quantity = 1 + rng.poisson(1.0, line_order.size)
    quantity[rng.random(line_order.size) < TRANSACTION_RETURN_SHARE] *= -1
    price = np.round(np.exp(rng.normal(group[line_customer, 5], 0.6)), 2)
    customer_id = pd.array(first_customer_id + line_customer, dtype="Int64")
    customer_id[rng.random(line_order.size) < TRANSACTION_MISSING_ID_SHARE] = pd.NA
    log = pd.DataFrame(
        {
            "InvoiceNo": first_order_id + line_order,
            "CustomerID": customer_id,
            "InvoiceDate": order_time[line_order],
            "Quantity": quantity,
            "UnitPrice": price,
        }
    )
    planted = pd.DataFrame(
        {
            "customer_id": first_customer_id + np.arange(customer_count, dtype=np.int64),
            "planted_segment": labels.astype(np.int64),
        }
    )
    return log, planted


def write_planted_transactions(
    path, line_count: int, seed: int = 7, lines_per_customer: int = 20, chunk: int = 250_000
) -> None:
    """A planted transaction log of `line_count` lines as Parquet (about
    `lines_per_customer` lines a customer), written a chunk of customers at a time, and
    beside it `<name>_customers.parquet` with each customer's planted group. The last
    chunk is cut at `line_count` lines, so a customer may lose some of theirs."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    writers: dict[str, pq.ParquetWriter] = {}
    targets = {"log": path, "planted": planted_customers_path(path)}
    written, customer, order, number = 0, 1, 1, 0
    try:
        while written < line_count:
            customers = max(1, min(chunk, (line_count - written) // lines_per_customer + 1))
            log, planted = planted_transaction_chunk(
                customers, customer, order, seed * 1_000 + number
            )
            log = log.iloc[: line_count - written]
            planted = planted[planted.customer_id <= log.CustomerID.max()]
            for name, frame in (("log", log), ("planted", planted)):
                table = pa.Table.from_pandas(frame, preserve_index=False)
                if name not in writers:
                    writers[name] = pq.ParquetWriter(targets[name], table.schema)
                writers[name].write_table(table)
            written += len(log)
            customer += customers
            order = int(log.InvoiceNo.max()) + 1
            number += 1
    finally:
        for writer in writers.values():
            writer.close()


def planted_customers_path(log_path) -> Path:
    """Where write_planted_transactions puts the planted groups of a log's customers."""
    log_path = Path(log_path)
    return log_path.with_name(f"{log_path.stem}_customers.parquet")
