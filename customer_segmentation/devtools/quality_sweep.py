"""Quality sweep: does the build find planted segments that are not the benchmark's?

    python -m customer_segmentation.devtools.quality_sweep [--rows 300000] [--variants a,b]

The benchmark plants one layout of five groups. Here each variant changes one thing
about it (the draw, how far the groups overlap, their shares, how many there are,
fractional values), writes it to Parquet and runs the full `dbt build` of this project
on it, in a process of its own. Beside it the notebook way (every row, k = 5 fixed)
is fitted in this process. It prints, per variant, the k planted and chosen and the
adjusted Rand index of the build against the planted groups, of the notebook against
them, and of the build against the notebook. A variant whose build fails, or loses a
customer, is reported as such and the sweep carries on.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass, field
from pathlib import Path

from customer_segmentation.devtools.benchmark import NOTEBOOK_FEATURES, NOTEBOOK_K
from customer_segmentation.devtools.harness import (
    PROJECT_DIR,
    adjusted_rand,
    built_segments,
    dbt_build_process,
    markdown_table,
    measure,
)
from customer_segmentation.devtools.planted import PLANTED_GROUPS

# The benchmark's five groups without the middle one, and with one more (moderate
# income, very high spending) that sits between two of them.
FOUR_GROUPS = PLANTED_GROUPS[:2] + PLANTED_GROUPS[3:]
SIX_GROUPS = (*PLANTED_GROUPS, (0.10, 55.0, 6.0, 90.0, 4.0, 30.0, 6.0))
EQUAL_SHARES = tuple((0.2, *group[1:]) for group in PLANTED_GROUPS)


@dataclass(frozen=True)
class Variant:
    """One shape of planted customers the sweep builds: a name, what it tests, its seed."""

    name: str
    description: str
    seed: int
    shape: dict = field(default_factory=dict)

    @property
    def planted_k(self) -> int:
        """The number of groups planted in this variant."""
        return len(self.shape.get("groups", PLANTED_GROUPS))


VARIANTS = (
    Variant("benchmark", "the benchmark's layout", 7),
    Variant("another_draw", "the same layout, another random draw", 1),
    Variant("spread_1_5", "income and spending sd x1.5: groups touch", 2, {"spread": 1.5}),
    Variant("spread_2", "income and spending sd x2: groups overlap", 3, {"spread": 2.0}),
    Variant("equal_shares", "five groups of equal size", 4, {"groups": EQUAL_SHARES}),
    Variant("four_groups", "the middle group left out", 5, {"groups": FOUR_GROUPS}),
    Variant("six_groups", "a sixth group between two others", 6, {"groups": SIX_GROUPS}),
    Variant("fractional", "income and score with two decimals", 8, {"fractional": True}),
)


@dataclass
class VariantResult:
    """What one variant's build chose and how well it recovered the planted groups."""

    name: str
    description: str
    planted_k: int
    chosen_k: int | None = None
    ari_build_vs_planted: float | None = None
    ari_notebook_vs_planted: float | None = None
    ari_build_vs_notebook: float | None = None
    build_seconds: float | None = None
    problem: str | None = None


HEADERS = [
    "variant",
    "what changes",
    "k planted",
    "k chosen",
    "ARI build vs planted",
    "ARI notebook (k = 5) vs planted",
    "ARI build vs notebook",
    "build s",
]


def notebook_labels(customers):
    """The notebook's final fit: every row scaled, K-Means with k = 5."""
    from sklearn.cluster import KMeans
    from sklearn.preprocessing import StandardScaler

    features = StandardScaler().fit_transform(customers[NOTEBOOK_FEATURES])
    model = KMeans(n_clusters=NOTEBOOK_K, init="k-means++", n_init=10, random_state=42)
    return model.fit_predict(features)


def run_variant(work_dir: Path, variant: Variant, row_count: int) -> VariantResult:
    """Plant the variant's customers and build on them; the k chosen and the agreement."""
    from customer_segmentation.devtools.planted import planted_customers

    result = VariantResult(variant.name, variant.description, variant.planted_k)
    customers = planted_customers(row_count, variant.seed, **variant.shape)
    run_dir = work_dir / f"{variant.name}_{row_count}"
    run_dir.mkdir(parents=True, exist_ok=True)
    data = run_dir / "customers.parquet"
    customers.to_parquet(data, index=False)
    database = run_dir / "segmentation.duckdb"
    database.unlink(missing_ok=True)
    build = measure(
        *dbt_build_process(run_dir, database, run_dir / "published", {"customers_file": str(data)}),
        run_dir / "build.log",
    )
    result.build_seconds = build.wall_seconds
    if build.exit_code != 0:
        result.problem = f"dbt build failed: see {run_dir / 'build.log'}"
        return result
    assigned, result.chosen_k = built_segments(database)
    customers["notebook_segment"] = notebook_labels(customers)
    joined = customers.merge(assigned, left_on="CustomerID", right_on="customer_id", how="left")
    if joined["segment_id"].isna().any():
        result.problem = f"{int(joined['segment_id'].isna().sum())} customers have no segment"
        return result
    result.ari_build_vs_planted = adjusted_rand(joined["planted_segment"], joined["segment_id"])
    result.ari_notebook_vs_planted = adjusted_rand(
        joined["planted_segment"], joined["notebook_segment"]
    )
    result.ari_build_vs_notebook = adjusted_rand(joined["notebook_segment"], joined["segment_id"])
    return result


def table_rows(results: list[VariantResult]) -> list[list[str]]:
    """The results as rows of formatted cells, in HEADERS order."""

    def ari(value: float | None) -> str:
        return "-" if value is None else f"{value:.4f}"

    rows = []
    for result in results:
        rows.append(
            [
                result.name,
                result.description + (f" ({result.problem})" if result.problem else ""),
                str(result.planted_k),
                "-" if result.chosen_k is None else str(result.chosen_k),
                ari(result.ari_build_vs_planted),
                ari(result.ari_notebook_vs_planted),
                ari(result.ari_build_vs_notebook),
                "-" if result.build_seconds is None else f"{result.build_seconds:.1f}",
            ]
        )
    return rows


def render_markdown(results: list[VariantResult]) -> str:
    """The results as a Markdown table, for the docs."""
    return markdown_table(HEADERS, table_rows(results))


def parse_variants(text: str) -> list[Variant]:
    """Parse --variants: comma-separated names of VARIANTS; unknown names are refused."""
    by_name = {variant.name: variant for variant in VARIANTS}
    names = [part.strip() for part in text.split(",") if part.strip()]
    unknown = [name for name in names if name not in by_name]
    if unknown or not names:
        raise argparse.ArgumentTypeError(
            f"unknown variant(s) {', '.join(unknown) or '(none given)'}; "
            f"choose from {', '.join(by_name)}"
        )
    return [by_name[name] for name in names]


def main(argv: list[str] | None = None) -> int:
    """Run the sweep and print its table; 0 on success."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=300_000, help="customers per variant")
    parser.add_argument(
        "--variants",
        type=parse_variants,
        default=list(VARIANTS),
        help="comma-separated variant names (default: all)",
    )
    parser.add_argument(
        "--work-dir",
        type=Path,
        default=PROJECT_DIR / "benchmark_runs" / "quality_sweep",
        help="where the files, databases and logs go",
    )
    options = parser.parse_args(sys.argv[1:] if argv is None else argv)
    if options.rows < 1:
        parser.error("--rows must be a positive whole number")
    work_dir = options.work_dir.resolve()
    results = []
    for variant in options.variants:
        print(f"{variant.name} ({options.rows:,} rows) ...", flush=True)
        results.append(run_variant(work_dir, variant, options.rows))
        print(render_markdown(results[-1:]).splitlines()[-1], flush=True)
    print()
    print(render_markdown(results))
    return 1 if any(result.problem for result in results) else 0


if __name__ == "__main__":
    raise SystemExit(main())
