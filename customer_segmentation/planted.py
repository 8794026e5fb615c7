"""Customers with planted segments, for benchmarks and scale tests.

Five income x spending groups shaped like mall customer data, tight enough that a good
segmentation recovers them almost exactly; the planted group is written alongside as
`planted_segment` (an extra column the pipeline ignores).
"""

from __future__ import annotations

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


def planted_customers(
    row_count: int,
    seed: int = 7,
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
    planted_customers(row_count, seed, **shape).to_parquet(path, index=False)


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
    import pyarrow as pa
    import pyarrow.parquet as pq

    writer = None
    try:
        for number, start in enumerate(range(0, row_count, chunk)):
            part = planted_wide_customers(min(chunk, row_count - start), seed * 1_000 + number)
            table = pa.Table.from_pandas(part, preserve_index=False)
            if writer is None:
                writer = pq.ParquetWriter(path, table.schema)
            writer.write_table(table)
    finally:
        if writer is not None:
            writer.close()
