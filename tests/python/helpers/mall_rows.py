"""Rows of the bundled mall seed's shape that the dbt tests share: its header and rows,
the marts every build writes, and rows that must be quarantined, rounded or kept."""

from __future__ import annotations

import pandas as pd

from helpers.dbt_runs import PROJECT_DIR

HEADER = "CustomerID,Gender,Age,Annual Income (k$),Spending Score (1-100)"


MARTS = (
    "customer_segments",
    "segment_profiles",
    "segment_campaigns",
    "marketing_targets",
    "segment_k_selection",
    "segment_centroids",
    "segment_feature_scaling",
    "customer_quarantine",
    "data_quality_summary",
    "transaction_quarantine",
    "customer_rfm",
    "rfm_segment_summary",
    "customer_feature_summary",
    "segment_feature_profiles",
    "segment_model_registry",
    "segment_model_versions",
    "segment_lineage",
    "segment_migrations",
    "segment_quality",
)


def bundled_rows() -> list[str]:
    """The bundled seed's data rows, as text lines."""
    lines = (PROJECT_DIR / "seeds/raw/mall_customers.csv").read_text().splitlines()
    return lines[1:]


# Marts of a transaction log, and of rejected rows: empty on the bundled seed.
EMPTY_ON_THE_SEED = {"customer_quarantine", "transaction_quarantine", "customer_rfm"}


# Rows of the bundled seed's shape that must be quarantined, one problem each.
BAD_ROWS = [
    "501,Female,abc,40,50",
    "502,Male,30,-5,50",
    "503,Female,30,40,140",
    "504,,30,40,50",
    "505,Female,200,40,50",
    "x7,Male,30,40,50",
    "506,Female,30,40,0.6",  # the range is checked before rounding
    "507,Female,30,nan,50",
    "1,Male,99,99,99",  # conflicts with bundled customer 1
    # Equal once rounded, different as given: a conflict, not an exact copy.
    "520,Male,40.4,60,50",
    "520,Male,40.3,60,50",
    "-3,Male,30,40,50",
]


# Usable rows with a fractional age or spending score: rounded to the nearest whole
# number (half away from zero), kept and flagged.
ROUNDED_ROWS = ["521,Male,30.5,40,47.5", "522,Female,44,40,12.25"]


ZERO_ID_ROW = "0,Female,35,60,50"  # ids numbered from 0 are ids too


def centroid_cells(profiles: pd.DataFrame) -> list[tuple[str, str]]:
    """(income band, spending band) of each segment, from segment_profiles."""
    cells = []
    for bands in profiles.centroid_bands:
        by_feature = dict(part.split(": ") for part in bands.split("; "))
        cells.append((by_feature["annual_income"], by_feature["spending_score"]))
    return cells
