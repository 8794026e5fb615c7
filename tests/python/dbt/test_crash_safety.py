"""SIGKILL a real `dbt build` at its riskiest moments: the publication stays exactly as
the last good build left it, and the next build succeeds with no clean-up.

The builds run as `dbt` processes of their own (they are killed, process group and
all). The moment to kill is read from dbt's own debug log, which names each statement
before it runs, or, inside the publication, from the staged file appearing: no fixed
sleeps. The changed input is large enough (planted customers) that each targeted step
lasts at least a few hundred milliseconds, far longer than the watcher needs to react,
and after each kill the log (and the staged files) prove that the step had started and
not finished.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import time
from pathlib import Path

import duckdb

from customer_segmentation.devtools.harness import dbt_build_process
from customer_segmentation.devtools.planted import write_planted_parquet
from customer_segmentation.publication.publish import PublicationLayout
from helpers.dbt_runs import copy_of, publication_snapshot

PLANTED_ROWS = 300_000
STAGED = ".staged-"
# k fixed and a smaller sample: the Python model still runs for seconds (it imports
# scikit-learn and fits), and each build is shorter.
BUILD_VARS = {"segment_count": 5, "segment_sample_size": 20_000}


# dbt's debug log opens a record with a time stamp; the records that follow the one
# starting a step say that the step went on (or finished).
RECORD_START = re.compile(r"^\S*\d\d:\d\d:\d\d\.\d{6} \[", re.MULTILINE)
STILL_STARTING = re.compile(r"Opening a new connection|Re-using an available connection")


def step_running(log: str, starts: re.Pattern) -> bool:
    """Whether the step has started and no record since says it moved on."""
    match = None
    for match in starts.finditer(log):  # noqa: B007 (the last one counts)
        pass
    if match is None:
        return False
    # The first piece is the rest of the step's own record; each later one a record.
    later = RECORD_START.split(log[match.end() :])[1:]
    return all(STILL_STARTING.search(body) for body in later)


def python_code(node: str) -> re.Pattern:
    return re.compile(rf'Writing runtime python for node "model\.customer_segmentation\.{node}"')


def staged_database(published: Path) -> bool:
    return any(published.glob(f"{STAGED}*.duckdb"))


def staged_parquet(published: Path) -> bool:
    return any(published.glob(f"parquet/{STAGED}*/*.parquet"))


# When to kill: a step of the build has started (the last record of dbt's log says so)
# and, for the publication, its staged database or Parquet file exists. After the kill the same
# must still hold: proof that the build died inside the step, not after it.
MOMENTS = {
    # The Python model's code runs (importing scikit-learn, fitting, handing back).
    "fit": (python_code("int_segment_candidates_fitted"), None),
    # DuckDB writes a mart: dbt has sent the statement that fills its temporary table;
    # the marts before it are already committed in the build database, with the new data.
    "marts": (
        re.compile(r'(insert into|create\s+table)\s+"[^"]+"\."main"\."marketing_targets__dbt_tmp"'),
        None,
    ),
    # The publication writes its staged database file, then its staged Parquet files;
    # the switch comes after both (and would have renamed them away).
    "publication database": (python_code("publication"), staged_database),
    "publication parquet": (python_code("publication"), staged_parquet),
}


def start_build(work_dir: Path, database: Path, published: Path, data: Path, name: str):
    name = name.replace(" ", "_")
    log_dir = work_dir / "logs" / name
    command, environment = dbt_build_process(
        work_dir,
        database,
        published,
        BUILD_VARS | {"customers_file": str(data)},
        log_dir=log_dir,
    )
    output = open(work_dir / f"{name}.out", "w")  # noqa: SIM115 (closed by the caller)
    process = subprocess.Popen(
        command,
        env=environment,
        stdout=output,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its own process group, killed as a whole
    )
    return process, output, log_dir / "dbt.log"


def reached(log: str, published: Path, moment) -> bool:
    starts, condition = moment
    return step_running(log, starts) and (condition is None or condition(published))


def kill_at(process, log_path: Path, published: Path, moment, timeout=180.0) -> str:
    """Follow dbt's log until the moment comes, SIGKILL the process group, and return
    the log as the build left it."""
    log, handle = "", None
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            if handle is None and log_path.exists():
                handle = log_path.open(errors="replace")
            if handle is not None:
                # Only the tail matters: the step's first record and those after it.
                log = (log + handle.read())[-200_000:]
            if reached(log, published, moment):
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
                return log + handle.read()
            if process.poll() is not None:
                raise AssertionError(f"the build ended (exit {process.returncode}) first")
            time.sleep(0.005)
    finally:
        if handle is not None:
            handle.close()
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    raise AssertionError("the moment never came")


def without_staged(snapshot: dict[str, str]) -> dict[str, str]:
    return {key: value for key, value in snapshot.items() if STAGED not in key}


def published_manifest(published: Path) -> dict:
    """What a reader arriving now sees: build id, manifest and actual row counts."""
    path = PublicationLayout(published).database
    with duckdb.connect(str(path), read_only=True) as reader:
        rows = reader.execute("select mart_name, row_count, build_id from publication")
        manifest = {name: (count, build_id) for name, count, build_id in rows.fetchall()}
        actual = {
            name: reader.execute(f"select count(*) from {name}").fetchone()[0] for name in manifest
        }
    (build_id,) = {build_id for _, build_id in manifest.values()}
    assert actual == {name: count for name, (count, _) in manifest.items()}
    return {"build_id": build_id, "row_counts": actual}


def test_sigkill_during_a_build_leaves_the_publication_and_the_next_build_succeeds(
    default_build, tmp_path
):
    database, published = copy_of(default_build, tmp_path / "build")
    before = publication_snapshot(published)
    last_good = published_manifest(published)
    data = tmp_path / "changed_customers.parquet"
    write_planted_parquet(data, PLANTED_ROWS)

    # One killed build after another, each starting from what the last one left behind.
    for name, moment in MOMENTS.items():
        process, output, log_path = start_build(tmp_path, database, published, data, name)
        with output:
            log = kill_at(process, log_path, published, moment)
        assert process.returncode == -signal.SIGKILL, name
        assert reached(log, published, moment), f"{name}: the step ended before the kill"
        after = publication_snapshot(published)
        assert without_staged(after) == before, name
        # Anything left over is hidden (a dot name) and staged, never at a reader's path.
        leftovers = set(after) - set(before)
        assert all(any(part.startswith(STAGED) for part in Path(key).parts) for key in leftovers), (
            leftovers
        )
        assert published_manifest(published) == last_good, name

    # The next build, with no clean-up, succeeds and publishes the new data.
    process, output, _ = start_build(tmp_path, database, published, data, "next")
    with output:
        assert process.wait(timeout=300) == 0, (tmp_path / "next.out").read_text()[-3000:]
    now = published_manifest(published)
    assert now["build_id"] != last_good["build_id"]
    assert now["row_counts"]["customer_segments"] == PLANTED_ROWS
    assert not [key for key in publication_snapshot(published) if STAGED in key]
    with duckdb.connect(str(database), read_only=True) as build:
        leftover_relations = build.execute(
            "select table_name from duckdb_tables() where contains(table_name, '__dbt_') "
            "union all select view_name from duckdb_views() where contains(view_name, '__dbt_')"
        ).fetchall()
    assert leftover_relations == []
