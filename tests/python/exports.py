"""Customer tables shaped like real exports, built here (deterministic, no public file):
text ids or none, dozens of columns, skewed money columns, junk categories, missing
values. Each has planted groups, so a segmentation has something to find."""

from __future__ import annotations

import uuid

import numpy as np
import pandas as pd

# A card issuer's customer table: text ids, 17 money and frequency columns.
CARD_COLUMNS = [
    "BALANCE",
    "BALANCE_FREQUENCY",
    "PURCHASES",
    "ONEOFF_PURCHASES",
    "INSTALLMENTS_PURCHASES",
    "CASH_ADVANCE",
    "PURCHASES_FREQUENCY",
    "ONEOFF_PURCHASES_FREQUENCY",
    "PURCHASES_INSTALLMENTS_FREQUENCY",
    "CASH_ADVANCE_FREQUENCY",
    "CASH_ADVANCE_TRX",
    "PURCHASES_TRX",
    "CREDIT_LIMIT",
    "PAYMENTS",
    "MINIMUM_PAYMENTS",
    "PRC_FULL_PAYMENT",
    "TENURE",
]


def card_holders(row_count: int = 600, seed: int = 1) -> pd.DataFrame:
    """Three planted groups in log space (big spenders, cash advancers, dormant), ids
    C10001..., money columns spanning orders of magnitude, a few missing credit
    limits and minimum payments."""
    rng = np.random.default_rng(seed)
    group = rng.integers(0, 3, row_count)
    # ln(1 + x) centres of balance, purchases, cash advance for each group.
    centres = np.array([[6.0, 8.0, 1.0], [8.5, 3.0, 7.5], [4.0, 2.0, 1.5]])[group]
    money = np.expm1(centres + rng.normal(0, 0.35, (row_count, 3))).round(2)
    frame = pd.DataFrame({"CUST_ID": [f"C{10001 + i}" for i in range(row_count)]})
    for column in CARD_COLUMNS:
        frame[column] = rng.uniform(0, 1, row_count).round(6)
    frame["BALANCE"], frame["PURCHASES"], frame["CASH_ADVANCE"] = money.T
    frame["CREDIT_LIMIT"] = rng.normal(4500, 1200, row_count).clip(300).round(0)
    frame["TENURE"] = rng.integers(6, 13, row_count)
    frame.loc[rng.choice(row_count, 12, replace=False), "CREDIT_LIMIT"] = np.nan
    frame.loc[rng.choice(row_count, 20, replace=False), "MINIMUM_PAYMENTS"] = np.nan
    frame["planted_group"] = group
    return frame


# Campaign response data: tab-separated, 31 columns.
MARITAL_STATUSES = ["Married", "Together", "Single", "Divorced", "Widow"]
JUNK_STATUSES = ["YOLO", "Absurd"]
EDUCATIONS = ["Graduation", "PhD", "Master", "Basic", "2n Cycle"]


def marketing(row_count: int = 800, seed: int = 2) -> pd.DataFrame:
    """Whole-number ids under the header ID; income missing in some rows; marital status
    with two junk values held by one customer each (and one missing), education as a
    profile column; two planted groups of income and wine spending."""
    rng = np.random.default_rng(seed)
    group = rng.integers(0, 2, row_count)
    frame = pd.DataFrame({"ID": rng.permutation(np.arange(1000, 1000 + 3 * row_count))[:row_count]})
    frame["Year_Birth"] = rng.integers(1940, 2000, row_count)
    frame["Education"] = rng.choice(EDUCATIONS, row_count, p=[0.5, 0.2, 0.17, 0.08, 0.05])
    frame["Marital_Status"] = rng.choice(MARITAL_STATUSES, row_count, p=[0.4, 0.25, 0.2, 0.1, 0.05])
    frame.loc[[3, 5], "Marital_Status"] = JUNK_STATUSES
    frame.loc[7, "Marital_Status"] = None
    frame["Income"] = np.where(group == 0, 30_000, 75_000) + rng.normal(0, 6_000, row_count).round(
        0
    )
    frame.loc[rng.choice(np.arange(10, row_count), 16, replace=False), "Income"] = np.nan
    frame["Kidhome"] = rng.integers(0, 3, row_count)
    frame["Teenhome"] = rng.integers(0, 3, row_count)
    frame["Dt_Customer"] = "2013-06-04"
    frame["Recency"] = rng.integers(0, 100, row_count)
    frame["MntWines"] = np.expm1(
        np.where(group == 0, 2.5, 6.0) + rng.normal(0, 0.4, row_count)
    ).round(0)
    for column in [
        "MntFruits",
        "MntMeatProducts",
        "MntFishProducts",
        "MntSweetProducts",
        "MntGoldProds",
        "NumDealsPurchases",
        "NumWebPurchases",
        "NumCatalogPurchases",
        "NumStorePurchases",
        "NumWebVisitsMonth",
        "AcceptedCmp3",
        "AcceptedCmp4",
        "AcceptedCmp5",
        "AcceptedCmp1",
        "AcceptedCmp2",
        "Complain",
        "Z_CostContact",
        "Z_Revenue",
        "Response",
        "Web_Clicks",
        "Store_Visits",
    ]:
        frame[column] = rng.integers(0, 30, row_count)
    frame["planted_group"] = group
    return frame


WHOLESALE_COLUMNS = ["Fresh", "Milk", "Grocery", "Frozen", "Detergents_Paper", "Delicassen"]


def wholesale(row_count: int = 300, seed: int = 3) -> pd.DataFrame:
    """No id column: annual spend per category, two planted kinds of buyer."""
    rng = np.random.default_rng(seed)
    group = rng.integers(0, 2, row_count)
    frame = pd.DataFrame({"Channel": group + 1, "Region": rng.integers(1, 4, row_count)})
    base = np.where(
        group[:, None] == 0, [9.5, 7.0, 7.5, 8.0, 5.5, 6.5], [7.5, 9.0, 9.5, 6.5, 8.5, 7.0]
    )
    spend = np.rint(np.expm1(base + rng.normal(0, 0.4, (row_count, 6)))).astype(int)
    for index, column in enumerate(WHOLESALE_COLUMNS):
        frame[column] = spend[:, index]
    return frame


def uuid_ids(row_count: int, seed: int = 4) -> list[str]:
    """Random-looking UUIDs, the same for a seed."""
    rng = np.random.default_rng(seed)
    return [
        str(uuid.UUID(bytes=bytes(rng.integers(0, 256, 16, dtype=np.uint8))))
        for _ in range(row_count)
    ]
