"""Benchmark: the whole `dbt build` against the notebook way, on planted customers.

    python -m customer_segmentation.devtools.benchmark [--sizes 200,100000,1000000,10000000]
        [--table mall|wide|transactions]

For each size it writes a Parquet file of customers with planted segments (kept in the
work directory and reused), then runs, each in its own fresh process and one after the
other:

- the notebook way: a bare pandas + scikit-learn script that loads every row, prepares
  the features (the wide table: imputes, log-transforms, scales and one-hot encodes),
  fits K-Means for k = 1..10 (the elbow), fits k = 5 and writes the labels;
- the floor (the mall table): the least work a warehouse-native segmentation does,
  with nothing around it (floor_way: one scan, k chosen on a 20,000-row sample, a fit
  on 100,000 rows, every customer assigned in SQL into one table);
- the full `dbt build` of this project on the same file, on a fresh DuckDB file and a
  fresh target directory (dbt parses the whole project), then the same command again
  (dbt reuses its parse, as on a daily refresh);
- for customer tables, the daily build: `refit: false` on the next day's export (1% of
  customers changed, 0.5% gone, 0.5% new), on the rebuilt database.

Two tables: `mall` (the default: whole-number ids, income and spending score, the
project's default features) and `wide` (UUID text ids, eight numeric features, three
of them log-transformed and one with 5% missing values imputed by the median, and one
categorical feature; customer_segmentation.devtools.planted.WIDE_FEATURES), and `transactions`
(an order log of about 20 lines a customer in five planted RFM groups, with returns and
lines without a customer id; sizes count lines; the notebook way computes RFM and
quintile scores in pandas, the build from `transactions_file`).

Above --notebook-max-rows (default ten million) the notebook way is left out: it holds
every row in pandas, more than the machine's memory at 100 million customers; the build
is then scored against the planted segments in SQL.

It prints wall time and peak memory (the process's maximum resident set, from the
kernel's accounting of the finished child) of each, the ratios build/bare and
build/floor, the disk the input, the build database and the publication take, and the
agreement (adjusted Rand index) of each with the planted segments and of the build
with the notebook's full-data fit. Both runs include their own interpreter start and
imports: that is what a user waits for.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
from dataclasses import asdict, dataclass
from pathlib import Path

from customer_segmentation.devtools.harness import (
    PROJECT_DIR,
    adjusted_rand,
    built_segments,
    dbt_build_process,
    machine_description,
    markdown_table,
    measure,
    text_table,
)

DEFAULT_SIZES = (200, 100_000, 1_000_000, 10_000_000)
NOTEBOOK_K_RANGE = range(1, 11)
NOTEBOOK_K = 5
NOTEBOOK_FEATURES = ["Annual Income (k$)", "Spending Score (1-100)"]
# The notebook way holds every row in pandas: at 100 million customers it needs more
# memory than the 24 GiB machine has. Above this many rows only the build and the floor
# run (--notebook-max-rows changes it).
NOTEBOOK_MAX_ROWS = 10_000_000


def elbow_and_fit(features):
    """The notebook's K-Means: every k from 1 to 10 for the elbow, then k = 5."""
    from sklearn.cluster import KMeans

    inertias = []
    for k in NOTEBOOK_K_RANGE:
        model = KMeans(n_clusters=k, init="k-means++", n_init=10, random_state=42)
        inertias.append(model.fit(features).inertia_)
    final = KMeans(n_clusters=NOTEBOOK_K, init="k-means++", n_init=10, random_state=42)
    return final.fit_predict(features)


def notebook_way(input_path: Path, labels_path: Path) -> None:
    """The usual notebook, as a script: everything in pandas, elbow, final fit."""
    import pandas as pd
    from sklearn.preprocessing import StandardScaler

    customers = pd.read_parquet(input_path)
    features = StandardScaler().fit_transform(customers[NOTEBOOK_FEATURES])
    customers["segment"] = elbow_and_fit(features)
    customers.to_parquet(labels_path, index=False)


def notebook_way_wide(input_path: Path, labels_path: Path) -> None:
    """The same notebook on the wide table: impute the median, log-transform the money
    columns, scale, one-hot encode the plan, elbow, final fit."""
    import numpy as np
    import pandas as pd
    from sklearn.preprocessing import StandardScaler

    from customer_segmentation.devtools.planted import (
        WIDE_LOGGED,
        WIDE_MISSING_COLUMN,
        WIDE_NUMERIC,
    )

    customers = pd.read_parquet(input_path)
    median = customers[WIDE_MISSING_COLUMN].median()
    customers[WIDE_MISSING_COLUMN] = customers[WIDE_MISSING_COLUMN].fillna(median)
    for column in WIDE_LOGGED:
        customers[column] = np.log1p(customers[column])
    numeric = StandardScaler().fit_transform(customers[list(WIDE_NUMERIC)])
    plans = pd.get_dummies(customers["plan"]).to_numpy(dtype=float)
    customers["segment"] = elbow_and_fit(np.hstack([numeric, plans]))
    customers[["customer_id", "planted_segment", "segment"]].to_parquet(labels_path, index=False)


def notebook_way_rfm(input_path: Path, labels_path: Path) -> None:
    """The usual RFM notebook: load the log, drop lines without a customer, amount =
    quantity x price, group by customer (recency from the latest date, frequency as
    distinct invoices, monetary as the sum), keep customers who spent, quintile
    scores, log-transform and scale R, F and M, elbow, final fit."""
    import numpy as np
    import pandas as pd
    from sklearn.preprocessing import StandardScaler

    log = pd.read_parquet(input_path).dropna(subset=["CustomerID"])
    log["amount"] = log["Quantity"] * log["UnitPrice"]
    as_of = log["InvoiceDate"].max().normalize() + pd.Timedelta(days=1)
    rfm = log.groupby("CustomerID").agg(
        last_purchase=("InvoiceDate", "max"),
        frequency=("InvoiceNo", "nunique"),
        monetary=("amount", "sum"),
    )
    del log
    rfm["recency"] = (as_of - rfm["last_purchase"]).dt.days
    rfm = rfm[rfm["monetary"] > 0].copy()
    for column, score, best_low in (
        ("recency", "r_score", True),
        ("frequency", "f_score", False),
        ("monetary", "m_score", False),
    ):
        ranks = rfm[column].rank(method="first", ascending=not best_low)
        rfm[score] = pd.qcut(ranks, 5, labels=[1, 2, 3, 4, 5]).astype(int)
    features = StandardScaler().fit_transform(np.log1p(rfm[["recency", "frequency", "monetary"]]))
    rfm["segment"] = elbow_and_fit(features)
    labels = rfm.reset_index()[["CustomerID", "segment"]]
    labels.rename(columns={"CustomerID": "customer_id"}).to_parquet(labels_path, index=False)


FLOOR_SELECTION_ROWS = 20_000
FLOOR_FIT_ROWS = 100_000
FLOOR_SILHOUETTE_ROWS = 3_000


def floor_way(input_path: Path, database_path: Path) -> None:
    """The floor: the least a warehouse-native segmentation must do, with nothing
    around it. One scan of the file for the features' means and deviations, a
    100,000-row sample, k chosen by silhouette on 20,000 of those rows, K-Means fitted
    on the sample, and every customer assigned to its nearest centroid in SQL into one
    table. No checks, quarantine, marts, history or publication. Its K-Means settings
    are the build's defaults (10 initialisations, seed 42), so the two fit alike."""
    import duckdb
    import numpy as np
    from sklearn.cluster import KMeans
    from sklearn.metrics import silhouette_score

    columns = [f'"{name}"' for name in NOTEBOOK_FEATURES]
    source = f"read_parquet('{input_path}')"
    with duckdb.connect(str(database_path)) as connection:
        moments = connection.execute(
            "select " + ", ".join(f"avg({c}), stddev_pop({c})" for c in columns) + f" from {source}"
        ).fetchone()
        scaled = [
            f"({column} - {moments[2 * i]}) / {moments[2 * i + 1]}"
            for i, column in enumerate(columns)
        ]
        sample = connection.execute(
            f"select {', '.join(scaled)} from {source} "
            f"using sample reservoir({FLOOR_FIT_ROWS} rows) repeatable (42)"
        ).fetchnumpy()
        matrix = np.column_stack([sample[name] for name in sample])
        selection = matrix[:FLOOR_SELECTION_ROWS]
        scores = {}
        for k in range(2, 11):
            labels = KMeans(n_clusters=k, n_init=10, random_state=42).fit_predict(selection)
            scores[k] = silhouette_score(
                selection, labels, sample_size=FLOOR_SILHOUETTE_ROWS, random_state=42
            )
        k = max(scores, key=scores.get)
        centroids = KMeans(n_clusters=k, n_init=10, random_state=42).fit(matrix).cluster_centers_
        distances = [
            " + ".join(f"pow({value} - {centre[i]}, 2)" for i, value in enumerate(scaled))
            for centre in centroids
        ]
        listed = f"list_value({', '.join(distances)})"
        connection.execute(
            "create or replace table segments as select CustomerID as customer_id, "
            f"list_position({listed}, list_min({listed})) - 1 as segment_id from {source}"
        )


@dataclass(frozen=True)
class BenchmarkTable:
    """One kind of input the benchmark plants and builds."""

    name: str
    id_column: str
    notebook: str  # the argument that runs its notebook way in a child process
    has_floor: bool = False  # floor_way serves the mall table's two features
    # The next day's export (write_daily_export): the column whose value changes, its
    # new value, and a new customer's id made from an existing one, as SQL. None: no
    # daily build (the order log).
    daily_change: tuple[str, str, str] | None = None

    def build_vars(self, data: Path) -> dict:
        """The dbt vars that point the build at a planted file of this table."""
        from customer_segmentation.devtools.planted import WIDE_FEATURES

        if self.name == "wide":
            return {
                "customers_file": str(data),
                "segmentation_features": WIDE_FEATURES,
                "profile_columns": [],
            }
        if self.name == "transactions":
            return {"transactions_file": str(data)}
        return {"customers_file": str(data)}

    def truth_file(self, data: Path) -> Path:
        """The file holding each customer's planted segment (the log's lines have none)."""
        from customer_segmentation.devtools.planted import planted_customers_path

        return planted_customers_path(data) if self.name == "transactions" else data

    def planted_file(self, work_dir: Path, row_count: int) -> Path:
        """The table's planted Parquet file of `row_count` rows, written once (in a
        process of its own, see `helper`) and reused."""
        prefix = "planted" if self.name == "mall" else f"planted_{self.name}"
        path = work_dir / f"{prefix}_{row_count}.parquet"
        if not path.exists():
            partial = path.with_suffix(".partial")
            helper("plant", self.name, str(row_count), str(partial))
            partial.replace(path)
        return path

    def write_planted(self, path: Path, row_count: int) -> None:
        """Write this table's planted Parquet file of `row_count` rows to `path`."""
        from customer_segmentation.devtools.planted import (
            write_planted_parquet,
            write_planted_transactions,
            write_planted_wide_parquet,
        )

        write = {
            "wide": write_planted_wide_parquet,
            "transactions": write_planted_transactions,
        }.get(self.name, write_planted_parquet)
        write(path, row_count)


TABLES = {
    "mall": BenchmarkTable(
        "mall",
        "CustomerID",
        "notebook",
        has_floor=True,
        # A score moved 38 points, wrapping within 1-100: never the value it was.
        daily_change=(
            "Spending Score (1-100)",
            '("Spending Score (1-100)" + 37) % 100 + 1',
            "CustomerID + 10000000000",
        ),
    ),
    "wide": BenchmarkTable(
        "wide",
        "customer_id",
        "notebook-wide",
        daily_change=("visits_per_month", "visits_per_month + 5", "customer_id || '-new'"),
    ),
    # Sizes count the log's lines (about 20 a customer); the truth is per customer.
    "transactions": BenchmarkTable("transactions", "customer_id", "notebook-rfm"),
}


# The daily export: per 200 customers (chosen by a hash of the id, the same on every
# run), 2 with a changed value, 1 gone and 1 new.
DAILY_SHARES = {"changed": 0.01, "gone": 0.005, "new": 0.005}


def write_daily_export(table: BenchmarkTable, data: Path, path: Path) -> None:
    """The next day's export of a planted file, for the daily build (`refit: false`):
    1% of customers with a changed value (table.daily_change), 0.5% gone, 0.5% new
    (copies of others under new ids)."""
    import duckdb

    column, changed_value, new_id = table.daily_change
    key = f"hash({quoted(table.id_column)}) % 200"
    source = f"read_parquet('{data}')"
    with duckdb.connect() as connection:
        connection.execute("set memory_limit = '2GB'")
        connection.execute(
            f"copy (select * replace (case when {key} in (7, 107) then {changed_value} "
            f"else {quoted(column)} end as {quoted(column)}) from {source} where {key} != 3 "
            f"union all select * replace ({new_id} as {quoted(table.id_column)}) "
            f"from {source} where {key} = 5) to '{path}' (format parquet)"
        )


def quoted(name: str) -> str:
    """A column name quoted for DuckDB SQL."""
    return '"' + name.replace('"', '""') + '"'


@dataclass
class SizeResult:
    """One size's figures: the notebook way, the build, the floor, disk and the daily build."""

    rows: int
    bare_seconds: float | None  # None: the notebook way was not run (NOTEBOOK_MAX_ROWS)
    bare_peak_mb: float | None
    build_seconds: float
    rebuild_seconds: float
    build_peak_mb: float
    build_to_bare_time: float | None
    rebuild_to_bare_time: float | None
    build_to_bare_memory: float | None
    ari_build_vs_planted: float
    ari_bare_vs_planted: float | None
    ari_build_vs_full_fit: float | None
    selected_k: int
    # The floor (see floor_way), for the tables that have one.
    floor_seconds: float | None = None
    floor_peak_mb: float | None = None
    build_to_floor_time: float | None = None
    rebuild_to_floor_time: float | None = None
    ari_floor_vs_planted: float | None = None
    # Disk after the rebuild: the input file, the build database, the publication.
    input_mb: float | None = None
    database_mb: float | None = None
    publication_mb: float | None = None
    # The daily build: `refit: false` on the next day's export (write_daily_export),
    # on the rebuilt database.
    daily_seconds: float | None = None
    daily_peak_mb: float | None = None
    daily_to_rebuild_time: float | None = None


def run_size(
    work_dir: Path,
    row_count: int,
    table: BenchmarkTable = TABLES["mall"],
    notebook_max_rows: int = NOTEBOOK_MAX_ROWS,
) -> SizeResult:
    """Plant (or reuse) the file of `row_count` rows and run each way on it, one after the
    other, each in a fresh process; the figures, scored against the planted segments."""
    data = table.planted_file(work_dir, row_count)
    run_dir = work_dir / f"run_{table.name}_{row_count}"
    shutil.rmtree(run_dir, ignore_errors=True)
    run_dir.mkdir(parents=True)
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}

    labels, bare = None, None
    if row_count <= notebook_max_rows:
        labels = run_dir / "notebook_labels.parquet"
        bare = measure(
            [
                sys.executable,
                "-m",
                "customer_segmentation.devtools.benchmark",
                table.notebook,
                str(data),
                str(labels),
            ],
            env,
            run_dir / "notebook.log",
        )
        if bare.exit_code != 0:
            raise SystemExit(f"notebook way failed at {row_count} rows: see {run_dir}/notebook.log")

    floor = None
    if table.has_floor:
        floor_database = run_dir / "floor.duckdb"
        floor = measure(
            [sys.executable, "-m", "customer_segmentation.devtools.benchmark", "floor", str(data)]
            + [str(floor_database)],
            env,
            run_dir / "floor.log",
        )
        if floor.exit_code != 0:
            raise SystemExit(f"the floor failed at {row_count} rows: see {run_dir}/floor.log")

    database = run_dir / "segmentation.duckdb"
    build_command = dbt_build_process(
        run_dir, database, run_dir / "published", table.build_vars(data), env=env
    )
    # First build: a fresh project, so dbt parses everything. Second build, same
    # command: dbt reuses its parse (partial parsing), as on every daily refresh.
    build = measure(*build_command, run_dir / "build.log")
    if build.exit_code != 0:
        raise SystemExit(f"dbt build failed at {row_count} rows: see {run_dir}/build.log")
    rebuild = measure(*build_command, run_dir / "rebuild.log")
    if rebuild.exit_code != 0:
        raise SystemExit(f"dbt rebuild failed at {row_count} rows: see {run_dir}/rebuild.log")

    if labels is not None:
        scores = json.loads(
            helper("score", table.name, str(row_count), str(data), str(labels), str(database))
        )
    else:
        scores = json.loads(helper("score-planted", table.name, str(data), str(database)))
    scores["input_mb"] = disk_mb(data)
    scores["database_mb"] = disk_mb(database)
    scores["publication_mb"] = disk_mb(run_dir / "published")
    if floor is not None:
        scores["floor_seconds"] = floor.wall_seconds
        scores["floor_peak_mb"] = floor.peak_rss_mb
        scores["build_to_floor_time"] = build.wall_seconds / floor.wall_seconds
        scores["rebuild_to_floor_time"] = rebuild.wall_seconds / floor.wall_seconds
        scores["ari_floor_vs_planted"] = float(
            helper("score-floor", str(data), str(floor_database))
        )
    if table.daily_change is not None:
        daily_data = run_dir / "daily_export.parquet"
        helper("daily-export", table.name, str(data), str(daily_data))
        daily_command = dbt_build_process(
            run_dir,
            database,
            run_dir / "published",
            {**table.build_vars(daily_data), "refit": False},
            env=env,
        )
        daily = measure(*daily_command, run_dir / "daily.log")
        if daily.exit_code != 0:
            raise SystemExit(f"daily build failed at {row_count} rows: see {run_dir}/daily.log")
        scores["daily_seconds"] = daily.wall_seconds
        scores["daily_peak_mb"] = daily.peak_rss_mb
        scores["daily_to_rebuild_time"] = daily.wall_seconds / rebuild.wall_seconds
    build_peak = max(build.peak_rss_mb, rebuild.peak_rss_mb)
    return SizeResult(
        rows=row_count,
        bare_seconds=None if bare is None else bare.wall_seconds,
        bare_peak_mb=None if bare is None else bare.peak_rss_mb,
        build_seconds=build.wall_seconds,
        rebuild_seconds=rebuild.wall_seconds,
        build_peak_mb=build_peak,
        build_to_bare_time=None if bare is None else build.wall_seconds / bare.wall_seconds,
        rebuild_to_bare_time=None if bare is None else rebuild.wall_seconds / bare.wall_seconds,
        build_to_bare_memory=None if bare is None else build_peak / bare.peak_rss_mb,
        **scores,
    )


def disk_mb(path: Path) -> float:
    """Megabytes a file, or a directory's files, take on disk."""
    files = [path] if path.is_file() else [each for each in path.rglob("*") if each.is_file()]
    return sum(each.stat().st_blocks * 512 for each in files) / 2**20


def contingency_ari(cells) -> float:
    """The adjusted Rand index from (label, label, count) rows: a contingency table
    counted in SQL, for sizes whose labels would not fit in memory as arrays."""
    from collections import Counter
    from math import comb

    total = sum(count for *_, count in cells)
    left, right = Counter(), Counter()
    for first, second, count in cells:
        left[first] += count
        right[second] += count
    index = sum(comb(count, 2) for *_, count in cells)
    left_pairs = sum(comb(count, 2) for count in left.values())
    right_pairs = sum(comb(count, 2) for count in right.values())
    expected = left_pairs * right_pairs / comb(total, 2)
    maximum = (left_pairs + right_pairs) / 2
    return 1.0 if maximum == expected else (index - expected) / (maximum - expected)


def score_against_planted(table: BenchmarkTable, data: Path, database: Path) -> dict:
    """The build's adjusted Rand index against the planted segments and the k it chose,
    counted in SQL (no notebook to compare with: see NOTEBOOK_MAX_ROWS)."""
    import duckdb

    with duckdb.connect(str(database), read_only=True) as connection:
        cells = connection.execute(
            "select truth.planted_segment, built.segment_id, count(*) "
            f"from read_parquet('{table.truth_file(data)}') as truth "
            "inner join customer_segments as built "
            f'on truth."{table.id_column}" = built.customer_id group by all'
        ).fetchall()
        selected_k = connection.execute(
            "select k from segment_k_selection where is_selected"
        ).fetchone()[0]
    return {
        "ari_build_vs_planted": contingency_ari(cells),
        "ari_bare_vs_planted": None,
        "ari_build_vs_full_fit": None,
        "selected_k": int(selected_k),
    }


def reported_customers(database: Path) -> list:
    """Ids (as text) of the customers a finished build reports instead of segmenting:
    unscored in customer_rfm, or quarantined."""
    import duckdb

    with duckdb.connect(str(database), read_only=True) as connection:
        return [
            row[0]
            for row in connection.execute(
                # As text: the quarantine keeps ids as the input spelled them.
                "select cast(customer_id as varchar) from customer_rfm where not is_scored "
                "union all select cast(customer_id as varchar) from customer_quarantine"
            ).fetchall()
        ]


def score_build(
    table: BenchmarkTable, row_count: int, data: Path, labels: Path, database: Path
) -> dict:
    """The adjusted Rand indices of a finished build and of the notebook against the
    planted segments, of the build against the notebook, and the k the build chose."""
    import pandas as pd

    assigned, selected_k = built_segments(database)
    truth = pd.read_parquet(table.truth_file(data), columns=[table.id_column, "planted_segment"])
    notebook = pd.read_parquet(labels, columns=[table.id_column, "segment"])
    assigned = assigned.rename(columns={"customer_id": "built_customer_id"})
    joined = truth.merge(notebook, on=table.id_column).merge(
        assigned, left_on=table.id_column, right_on="built_customer_id", how="left"
    )
    if table.name == "transactions":
        # A customer the notebook labelled but the build did not must be one the build
        # reports: unscored in customer_rfm (the notebook's float sums can leave
        # 1e-13 where the build's exact cents say 0) or quarantined.
        reported = set(reported_customers(database))
        unsegmented = joined.loc[joined["segment_id"].isna(), table.id_column]
        if not set(unsegmented.astype(str)) <= reported:
            raise SystemExit(f"the build lost customers at {row_count} lines")
        joined = joined.dropna(subset=["segment_id"])
    elif joined["segment_id"].isna().any() or len(joined) != row_count:
        raise SystemExit(f"the build lost customers at {row_count} rows")
    return {
        "ari_build_vs_planted": adjusted_rand(joined["planted_segment"], joined["segment_id"]),
        "ari_bare_vs_planted": adjusted_rand(joined["planted_segment"], joined["segment"]),
        "ari_build_vs_full_fit": adjusted_rand(joined["segment"], joined["segment_id"]),
        "selected_k": selected_k,
    }


def score_floor(data: Path, floor_database: Path) -> float:
    """The floor's adjusted Rand index against the planted segments."""
    import duckdb

    with duckdb.connect(str(floor_database), read_only=True) as connection:
        joined = connection.execute(
            f"select planted.planted_segment, floor.segment_id from read_parquet('{data}') "
            "as planted inner join segments as floor on planted.CustomerID = floor.customer_id"
        ).fetchnumpy()
    return adjusted_rand(joined["planted_segment"], joined["segment_id"])


def helper(*arguments: str) -> str:
    """Run one of this module's helper commands (plant, score) in a child process and
    return what it printed. Anything the benchmark's own process loads stays in its
    memory, and Linux counts a parent's resident set at fork time in the peak of the
    children it starts: the processes measured would inherit it."""
    result = subprocess.run(
        [sys.executable, "-m", "customer_segmentation.devtools.benchmark", *arguments],
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        raise SystemExit(f"{arguments[0]} failed: {result.stderr[-2000:] or result.stdout}")
    return result.stdout


HEADERS = (
    "rows",
    "bare s",
    "bare peak MB",
    "build s",
    "rebuild s",
    "build peak MB",
    "time build/bare",
    "time rebuild/bare",
    "memory build/bare",
    "ARI build vs planted",
    "ARI bare vs planted",
    "ARI build vs full fit",
    "k chosen",
    "floor s",
    "time build/floor",
    "time rebuild/floor",
    "ARI floor vs planted",
    "input MB",
    "database MB",
    "publication MB",
    "daily s",
    "daily peak MB",
    "time daily/rebuild",
)


def table_rows(results: list[SizeResult]) -> list[list[str]]:
    """The results as rows of formatted cells, in HEADERS order."""
    return [
        [
            f"{result.rows:,}",
            shown(result.bare_seconds, ".1f"),
            shown(result.bare_peak_mb, ".0f"),
            f"{result.build_seconds:.1f}",
            f"{result.rebuild_seconds:.1f}",
            f"{result.build_peak_mb:.0f}",
            shown(result.build_to_bare_time, ".3f"),
            shown(result.rebuild_to_bare_time, ".3f"),
            shown(result.build_to_bare_memory, ".2f"),
            f"{result.ari_build_vs_planted:.4f}",
            shown(result.ari_bare_vs_planted, ".4f"),
            shown(result.ari_build_vs_full_fit, ".4f"),
            str(result.selected_k),
            *(
                [
                    f"{result.floor_seconds:.1f}",
                    f"{result.build_to_floor_time:.2f}",
                    f"{result.rebuild_to_floor_time:.2f}",
                    f"{result.ari_floor_vs_planted:.4f}",
                ]
                if result.floor_seconds is not None
                else ["-"] * 4
            ),
            shown(result.input_mb, ".0f"),
            shown(result.database_mb, ".0f"),
            shown(result.publication_mb, ".0f"),
            shown(result.daily_seconds, ".1f"),
            shown(result.daily_peak_mb, ".0f"),
            shown(result.daily_to_rebuild_time, ".2f"),
        ]
        for result in results
    ]


def shown(value: float | None, spec: str) -> str:
    """A number formatted by `spec`, or "-" when it was not measured."""
    return "-" if value is None else format(value, spec)


def render_markdown(results: list[SizeResult]) -> str:
    """The results as a Markdown table, for the docs."""
    return markdown_table(HEADERS, table_rows(results))


def render_text(results: list[SizeResult]) -> str:
    """The results as an aligned plain-text table, for the terminal."""
    return text_table(HEADERS, table_rows(results))


def parse_sizes(text: str) -> list[int]:
    """Parse --sizes: comma-separated positive whole numbers (underscores allowed)."""
    sizes = [int(part.replace("_", "")) for part in text.split(",") if part.strip()]
    if not sizes or min(sizes) < 1:
        raise argparse.ArgumentTypeError("sizes are positive whole numbers, comma-separated")
    return sizes


def main(argv: list[str] | None = None) -> int:
    """Run a helper command (notebook, floor, plant, score...) or the benchmark itself."""
    arguments = list(sys.argv[1:] if argv is None else argv)
    if arguments[:1] == ["notebook"]:
        notebook_way(Path(arguments[1]), Path(arguments[2]))
        return 0
    if arguments[:1] == ["notebook-wide"]:
        notebook_way_wide(Path(arguments[1]), Path(arguments[2]))
        return 0
    if arguments[:1] == ["notebook-rfm"]:
        notebook_way_rfm(Path(arguments[1]), Path(arguments[2]))
        return 0
    if arguments[:1] == ["floor"]:
        floor_way(Path(arguments[1]), Path(arguments[2]))
        return 0
    if arguments[:1] == ["score-planted"]:
        table = TABLES[arguments[1]]
        print(json.dumps(score_against_planted(table, Path(arguments[2]), Path(arguments[3]))))
        return 0
    if arguments[:1] == ["score-floor"]:
        print(score_floor(Path(arguments[1]), Path(arguments[2])))
        return 0
    if arguments[:1] == ["daily-export"]:
        write_daily_export(TABLES[arguments[1]], Path(arguments[2]), Path(arguments[3]))
        return 0
    if arguments[:1] == ["plant"]:
        TABLES[arguments[1]].write_planted(Path(arguments[3]), int(arguments[2]))
        return 0
    if arguments[:1] == ["score"]:
        table, row_count = TABLES[arguments[1]], int(arguments[2])
        paths = [Path(argument) for argument in arguments[3:6]]
        print(json.dumps(score_build(table, row_count, *paths)))
        return 0
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--sizes",
        type=parse_sizes,
        default=list(DEFAULT_SIZES),
        help="comma-separated row counts (default: 200,100000,1000000,10000000)",
    )
    parser.add_argument(
        "--work-dir",
        type=Path,
        default=PROJECT_DIR / "benchmark_runs",
        help="where the generated files, databases and logs go (default: benchmark_runs/)",
    )
    parser.add_argument(
        "--table",
        choices=sorted(TABLES),
        default="mall",
        help="mall (default: the project's default features), wide (UUID ids, nine "
        "features: three log-transformed, one imputed, one categorical) or transactions "
        "(an order log, about 20 lines a customer; sizes count lines)",
    )
    parser.add_argument(
        "--notebook-max-rows",
        type=int,
        default=NOTEBOOK_MAX_ROWS,
        help="run the notebook way only up to this many rows (default: 10000000; it "
        "holds every row in pandas)",
    )
    parser.add_argument("--markdown", action="store_true", help="print a Markdown table")
    options = parser.parse_args(arguments)
    work_dir = options.work_dir.resolve()
    work_dir.mkdir(parents=True, exist_ok=True)
    print(f"Machine: {machine_description()}", flush=True)
    results = []
    for row_count in options.sizes:
        print(f"{row_count:,} rows ...", flush=True)
        results.append(
            run_size(work_dir, row_count, TABLES[options.table], options.notebook_max_rows)
        )
        print(render_text(results[-1:]), flush=True)
    (work_dir / f"results_{options.table}.json").write_text(
        json.dumps(
            {
                "machine": machine_description(),
                "table": options.table,
                "results": [asdict(r) for r in results],
            },
            indent=2,
        )
    )
    print()
    print(render_markdown(results) if options.markdown else render_text(results))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
