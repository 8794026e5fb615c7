"""At benchmark size: a million-row CSV with 1% bad rows scattered through it.

Slow (a minute or two), so the default run leaves it out: `python -m pytest -m slow -s`
runs it and prints the build's wall time and peak memory.
"""

from __future__ import annotations

import duckdb
import numpy as np
import pandas as pd
import pytest

from customer_segmentation.devtools.harness import dbt_build_process, measure
from customer_segmentation.devtools.planted import COLUMNS, planted_customers

ROWS = 1_000_000
BAD_ROWS = ROWS // 100
EXACT_COPIES = 1_000
ROUNDED_ROWS = 1_000
GOOD_ROWS = ROWS - BAD_ROWS - EXACT_COPIES

# One kind of bad row each: its cells (CustomerID filled in) and the reason expected.
BAD_KINDS = [
    (("x{id}", "Female", "30", "40", "50"), 'customer id is not a number: "x{id}"'),
    (("{id}", "Male", "200", "40", "50"), "age outside the plausible range 15-100: 200"),
    (("{id}", "Female", "7", "40", "50"), "age outside the plausible range 15-100: 7"),
    (("{id}", "", "30", "40", "50"), "missing gender"),
    (("{id}", "Unknown", "30", "40", "50"), 'unrecognised gender: "Unknown"'),
    (("{id}", "Male", "", "40", "50"), "missing age"),
    (("{id}", "Female", "30", "40", "0.5"), "spending score outside 1-100: 0.5"),
    (("{id}", "Male", "30", "n/a", "50"), 'annual income is not a number: "n/a"'),
    (("{id}", "Female", "30", "-5", "50"), "annual income is negative: -5"),
    (("{id}", "Male", "30", "40", "140"), "spending score outside 1-100: 140"),
    (("{id}", "Female", "30", "40", "inf"), 'spending score is not a number: "inf"'),
]
CONFLICT = "conflicting duplicate: customer id {id} appears 2 times with different values"


def bad_rows() -> tuple[list[tuple[str, ...]], list[tuple[str, str]]]:
    """The bad rows, and each one's raw customer id with its expected reason. Every
    twelfth is a pair: one id twice with different values, both copies rejected."""
    rows, expected = [], []
    number = 0
    while len(rows) < BAD_ROWS:
        customer_id = str(5_000_000 + number)
        if number % 12 == 11 and len(rows) + 2 <= BAD_ROWS:
            for spending in ("10", "90"):
                rows.append((customer_id, "Female", "30", "40", spending))
                expected.append((customer_id, CONFLICT.format(id=customer_id)))
        else:
            cells, reason = BAD_KINDS[number % len(BAD_KINDS)]
            row = tuple(cell.format(id=customer_id) for cell in cells)
            rows.append(row)
            expected.append((row[0], reason.format(id=customer_id)))
        number += 1
    return rows, expected


@pytest.mark.slow
def test_a_million_rows_with_one_percent_bad_rows_scattered(tmp_path):
    rng = np.random.default_rng(11)
    good = planted_customers(GOOD_ROWS)[COLUMNS].astype(str)
    # Some good rows carry a fractional spending score that rounds back to their own.
    scores = good["Spending Score (1-100)"]
    fractional = rng.choice(np.flatnonzero(scores.astype(int) > 1), ROUNDED_ROWS, replace=False)
    good.iloc[fractional, COLUMNS.index("Spending Score (1-100)")] = [
        f"{int(score) - 0.25}" for score in scores.iloc[fractional]
    ]
    copies = good.iloc[rng.choice(GOOD_ROWS, EXACT_COPIES, replace=False)]
    rows, expected = bad_rows()
    bad = pd.DataFrame(rows, columns=COLUMNS)
    lines = pd.concat([good, copies, bad], ignore_index=True)
    lines = lines.iloc[rng.permutation(len(lines))]  # bad rows scattered throughout
    assert len(lines) == ROWS
    data = tmp_path / "customers.csv"
    lines.to_csv(data, index=False)

    database = tmp_path / "segmentation.duckdb"
    # Whole-number ids by choice: the x-prefixed ids are then bad rows (by default
    # they would make every id text).
    measured = measure(
        *dbt_build_process(
            tmp_path,
            database,
            tmp_path / "published",
            {"customers_file": str(data), "customer_id_type": "integer"},
        ),
        tmp_path / "build.log",
    )
    print(
        f"\n{ROWS:,} rows, {BAD_ROWS:,} bad: dbt build {measured.wall_seconds:.1f} s, "
        f"peak {measured.peak_rss_mb:.0f} MB"
    )
    assert measured.exit_code == 0, (tmp_path / "build.log").read_text()[-3000:]

    with duckdb.connect(str(database), read_only=True) as built:
        good_ids = good[["CustomerID"]].astype("int64")  # noqa: F841 (queried by name)
        # Every good row reaches customer_segments, once; nothing else does.
        assert built.execute("select count(*) from customer_segments").fetchone()[0] == GOOD_ROWS
        missing = built.execute(
            "select count(*) from good_ids anti join customer_segments "
            'on customer_segments.customer_id = good_ids."CustomerID"'
        ).fetchone()[0]
        assert missing == 0
        # Every bad row is in customer_quarantine, with its reason.
        quarantine = built.execute(
            "select json_extract_string(raw_values, '$.CustomerID'), rejection_reason "
            "from customer_quarantine"
        ).fetchall()
        summary = dict(
            built.execute(
                "select outcome, row_count from data_quality_summary "
                "where input_table = 'customers'"
            ).fetchall()
        )
    assert sorted(quarantine) == sorted(expected)
    assert summary == {
        "segmented": GOOD_ROWS - ROUNDED_ROWS,
        "segmented, fractional value rounded": ROUNDED_ROWS,
        "segmented, missing value imputed": 0,
        "exact duplicate collapsed": EXACT_COPIES,
        "not segmented: no purchase in the transaction log": 0,
        "quarantined": BAD_ROWS,
    }
