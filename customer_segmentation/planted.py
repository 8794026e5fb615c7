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
