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


def transaction_log(customer_count: int = 240, seed: int = 7) -> pd.DataFrame:
    """An order log shaped like a retailer's invoice lines: InvoiceNo, StockCode,
    Quantity, InvoiceDate (month/day/year hour:minute), UnitPrice, CustomerID (a float,
    as exports of a nullable integer column write it), Country. Four kinds of customer
    (one-off, occasional, regular, frequent), cancellations (C-prefixed invoices with
    negative quantities), whole-pound prices so that amounts tie often, and the edge
    cases: a customer with only returns, one with only zero amounts, an exact duplicate
    line, lines without a customer id, unreadable dates and prices."""
    rng = np.random.default_rng(seed)
    end = pd.Timestamp("2011-12-09 17:00")
    rows = []
    invoice = 536000

    def line(number, customer, when, quantity, price, stock="SKU1"):
        rows.append(
            {
                "InvoiceNo": str(number),
                "StockCode": stock,
                "Quantity": quantity,
                "InvoiceDate": f"{when.month}/{when.day}/{when.year} {when.hour}:{when.minute:02d}",
                "UnitPrice": price,
                "CustomerID": customer,
                "Country": "United Kingdom",
            }
        )

    for index in range(customer_count):
        customer = float(12000 + index)
        orders = int(rng.choice([1, 2, 4, 8]))
        latest = end - pd.Timedelta(days=int(rng.integers(0, 200)), hours=int(rng.integers(0, 8)))
        for order in range(orders):
            invoice += 1
            when = latest - pd.Timedelta(days=int(rng.integers(1, 200)) if order else 0)
            for item in range(int(rng.integers(1, 4))):
                line(
                    invoice,
                    customer,
                    when,
                    int(rng.integers(1, 4)),
                    float(rng.integers(1, 6)),
                    f"SKU{item}",
                )
            if rng.random() < 0.15:
                line(f"C{invoice}", customer, when + pd.Timedelta(hours=1), -1, 1.0)
    invoice += 1
    only_returns = 99001.0
    line(f"C{invoice}", only_returns, end - pd.Timedelta(days=3), -2, 5.0)
    invoice += 1
    only_zero = 99002.0
    line(invoice, only_zero, end - pd.Timedelta(days=4), 3, 0.0)
    rows.append(dict(rows[0]))  # an exact duplicate line: two identical items
    invoice += 1
    line(invoice, None, end - pd.Timedelta(days=1), 1, 2.0)
    rows.append({**rows[1], "InvoiceDate": "31/31/2011", "InvoiceNo": "700001"})
    rows.append({**rows[2], "UnitPrice": "n/a", "InvoiceNo": "700002"})
    return pd.DataFrame(rows)


# The card holders' segmentation features: three log-transformed money columns and a
# credit limit imputed by its median, with a range.
CARD_FEATURES = [
    {"column": "BALANCE", "transform": "log"},
    {"column": "PURCHASES", "transform": "log"},
    {"column": "CASH_ADVANCE", "transform": "log"},
    {"column": "CREDIT_LIMIT", "missing": "median", "min": 100, "max": 50_000},
]
