"""What the benchmark and the quality sweep share: running `dbt build` of this project in
a process of its own and measuring it, reading what a build assigned, agreement between
labelings, the machine's description, and printing result tables.
"""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
import time
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parents[2]


@dataclass
class Measured:
    """A finished child process: wall time, peak resident memory, exit code."""

    wall_seconds: float
    peak_rss_mb: float
    exit_code: int


def measure(command: list[str], env: dict[str, str], log_path: Path) -> Measured:
    """Run a command to completion; wall time and the child's own peak RSS."""
    with log_path.open("w") as log:
        started = time.perf_counter()
        process = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
        # wait4 reports the resource use of this child alone (and of its own waited-for
        # children), unlike getrusage(RUSAGE_CHILDREN), which mixes every past child.
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    # Linux reports ru_maxrss in kilobytes.
    return Measured(wall, usage.ru_maxrss / 1024, process.returncode)


def dbt_build_process(
    work_dir: Path,
    database: Path,
    published: Path,
    dbt_vars: dict,
    log_dir: Path | None = None,
    env: dict[str, str] | None = None,
) -> tuple[list[str], dict[str, str]]:
    """Command line and environment of a `dbt build` of this project in a process of
    its own (the dbt beside this Python), on `database`, publishing to `published`."""
    command = [
        str(Path(sys.executable).with_name("dbt")),
        "build",
        "--project-dir",
        str(PROJECT_DIR),
        "--profiles-dir",
        str(PROJECT_DIR),
        "--target-path",
        str(work_dir / "target"),
        "--log-path",
        str(log_dir or work_dir / "logs"),
        "--vars",
        json.dumps(dbt_vars),
    ]
    environment = {
        **(os.environ if env is None else env),
        "SEGMENTATION_DUCKDB_PATH": str(database),
        "SEGMENTATION_PUBLISHED_DIR": str(published),
    }
    return command, environment


def adjusted_rand(left, right) -> float:
    """The adjusted Rand index of two labelings (scikit-learn's)."""
    from sklearn.metrics import adjusted_rand_score

    return float(adjusted_rand_score(left, right))


def built_segments(database: Path):
    """A finished build's (customer_id, segment_id) rows and the k it chose."""
    import duckdb

    with duckdb.connect(str(database), read_only=True) as connection:
        assigned = connection.execute(
            "select customer_id, segment_id from customer_segments order by customer_id"
        ).df()
        selected_k = connection.execute(
            "select k from segment_k_selection where is_selected"
        ).fetchone()[0]
    return assigned, int(selected_k)


def machine_description() -> str:
    """The CPU, cores, memory, system and package versions the figures were measured on."""
    cpu = platform.processor() or platform.machine()
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    memory_gib = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    versions = ", ".join(
        f"{package} {metadata.version(package)}"
        for package in ("dbt-core", "dbt-duckdb", "duckdb", "pandas", "scikit-learn")
    )
    return (
        f"{cpu}, {os.cpu_count()} cores, {memory_gib:.0f} GiB RAM, "
        f"{platform.system()} {platform.release()}; Python {platform.python_version()}, "
        f"{versions}; DuckDB memory_limit "
        f"{os.environ.get('SEGMENTATION_DUCKDB_MEMORY_LIMIT', '500MB')}"
    )


def markdown_table(headers, rows: list[list[str]]) -> str:
    """Rows of formatted cells under `headers` as a Markdown table, for the docs."""
    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def text_table(headers, rows: list[list[str]]) -> str:
    """Rows of formatted cells under `headers` as an aligned plain-text table."""
    table = [list(headers), *rows]
    widths = [max(len(row[column]) for row in table) for column in range(len(headers))]
    return "\n".join(
        "  ".join(cell.rjust(w) for cell, w in zip(row, widths, strict=True)) for row in table
    )
