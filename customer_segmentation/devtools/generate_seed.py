"""Generate the bundled mall customers seed.

The public Kaggle "Mall Customer Segmentation Data" file is not ours to ship, so the
project bundles data it makes itself: same header, same value ranges, and the five
income x spending groups that such data usually shows (a large middle group and four
corner groups). The output is deterministic: the same bytes on every run and every
platform, because it only uses the standard library's seeded Mersenne Twister.

    python -m customer_segmentation.devtools.generate_seed            # rewrite the seed
    python -m customer_segmentation.devtools.generate_seed --check    # fail if it differs
"""

from __future__ import annotations

import argparse
import random
import sys
from dataclasses import dataclass
from pathlib import Path

HEADER = ("CustomerID", "Gender", "Age", "Annual Income (k$)", "Spending Score (1-100)")
DEFAULT_SEED = 20261122
DEFAULT_PATH = Path(__file__).resolve().parents[2] / "seeds" / "raw" / "mall_customers.csv"


@dataclass(frozen=True)
class CustomerGroup:
    """One planted group: its size and the ranges its customers are drawn from."""

    name: str
    size: int
    income_mean: float
    income_sd: float
    income_range: tuple[int, int]
    spending_mean: float
    spending_sd: float
    spending_range: tuple[int, int]
    age_mean: float
    age_sd: float
    female_share: float


# Sizes and ranges follow the shape typical of mall customer data (200 rows).
GROUPS = (
    CustomerGroup("low income, low spending", 23, 26, 7, (15, 39), 20, 10, (3, 40), 45, 12, 0.60),
    CustomerGroup("low income, high spending", 22, 25, 7, (15, 39), 79, 10, (61, 99), 25, 5, 0.59),
    CustomerGroup("middle", 81, 55, 9, (40, 76), 49, 7, (35, 61), 43, 16, 0.59),
    CustomerGroup(
        "high income, high spending", 39, 86, 14, (69, 137), 82, 9, (63, 97), 33, 4, 0.54
    ),
    CustomerGroup(
        "high income, low spending", 35, 88, 15, (70, 137), 17, 10, (1, 39), 41, 11, 0.46
    ),
)


def _clip(value: float, low: int, high: int) -> int:
    return int(min(max(round(value), low), high))


def generate_customers(seed: int = DEFAULT_SEED) -> list[tuple[int, str, int, int, int]]:
    """Return the seed rows as (id, gender, age, income, spending) tuples.

    Rows are ordered by income, as in the public file, and ids are 1..N in that order.
    """
    rng = random.Random(seed)
    drawn = []
    for group in GROUPS:
        for _ in range(group.size):
            gender = "Female" if rng.random() < group.female_share else "Male"
            age = _clip(rng.gauss(group.age_mean, group.age_sd), 18, 70)
            income = _clip(rng.gauss(group.income_mean, group.income_sd), *group.income_range)
            spending = _clip(
                rng.gauss(group.spending_mean, group.spending_sd), *group.spending_range
            )
            drawn.append((income, gender, age, spending))
    # The public file is sorted by income; a stable sort keeps ties in draw order.
    drawn.sort(key=lambda row: row[0])
    return [
        (customer_id, gender, age, income, spending)
        for customer_id, (income, gender, age, spending) in enumerate(drawn, start=1)
    ]


def render_csv(rows: list[tuple[int, str, int, int, int]]) -> str:
    """The seed's rows as CSV text, header first, LF line ends."""
    lines = [",".join(HEADER)]
    lines += [",".join(str(value) for value in row) for row in rows]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    """Write the bundled seed (--output, --seed); 0 on success."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", type=Path, default=DEFAULT_PATH)
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument(
        "--check", action="store_true", help="exit 1 if the file differs from a fresh run"
    )
    args = parser.parse_args(argv)
    text = render_csv(generate_customers(args.seed))
    if args.check:
        current = args.output.read_text(encoding="utf-8") if args.output.exists() else None
        if current != text:
            print(f"{args.output} is not what the generator makes; rerun it", file=sys.stderr)
            return 1
        return 0
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
