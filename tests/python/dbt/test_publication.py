"""End to end: `dbt build` publishes the marts for readers, and only when it succeeds."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
import time

import duckdb
import pandas as pd

from customer_segmentation.publication.publish import PublicationLayout
from helpers.dbt_runs import copy_of, publication_snapshot, run_dbt
from helpers.mall_rows import BAD_ROWS, HEADER, MARTS, bundled_rows

# A reader in its own process, as a BI tool or SQL client would be: it opens the
# published file read-only and reports what it sees, once when it starts and again each
# time it reads a line on stdin, on the same connection.
HOLDING_READER = textwrap.dedent(
    """
    import json, sys, duckdb
    connection = duckdb.connect(sys.argv[1], read_only=True)
    def look():
        published = dict(connection.execute(
            "select mart_name, row_count from publication").fetchall())
        actual = {name: connection.execute(f"select count(*) from {name}").fetchone()[0]
                  for name in published}
        build_id = connection.execute("select any_value(build_id) from publication")
        print(json.dumps({"build_id": build_id.fetchone()[0], "published": published,
                          "actual": actual}), flush=True)
    look()
    for _ in sys.stdin:
        look()
    """
)

# Readers that keep arriving while builds come and go: each opens the published file,
# counts every mart and reports the counts with the build id the manifest gives, until
# the stop file appears. "database" readers open segmentation.duckdb; "parquet" readers
# resolve `current` once and read every file, manifest included, from that version.
ARRIVING_READERS = textwrap.dedent(
    """
    import json, os, sys, time, duckdb
    kind, directory, stop = sys.argv[1], sys.argv[2], sys.argv[3]

    while True:
        try:
            if kind == "database":
                path = os.path.join(directory, "segmentation.duckdb")
                with duckdb.connect(path, read_only=True) as connection:
                    manifest = connection.execute(
                        "select mart_name, row_count, build_id from publication").fetchall()
                    actual = {name: connection.execute(
                        f"select count(*) from {name}").fetchone()[0]
                        for name, _, _ in manifest}
            else:
                root = os.path.join(directory, "parquet")
                version = os.path.join(root, os.readlink(os.path.join(root, "current")))
                with duckdb.connect() as connection:
                    manifest = connection.execute(
                        "select mart_name, row_count, build_id "
                        f"from '{version}/publication.parquet'").fetchall()
                    actual = {name: connection.execute(
                        f"select count(*) from '{version}/{name}.parquet'").fetchone()[0]
                        for name, _, _ in manifest}
            print(json.dumps({
                "build_id": manifest[0][2],
                "build_ids": len({build_id for _, _, build_id in manifest}),
                "published": {name: count for name, count, _ in manifest},
                "actual": actual,
            }), flush=True)
        except Exception as error:
            print(json.dumps({"error": repr(error)}), flush=True)
        if os.path.exists(stop):
            break
        time.sleep(0.05)
    """
)


def published_tables(run) -> dict[str, pd.DataFrame]:
    with duckdb.connect(str(PublicationLayout(run.published).database), read_only=True) as db:
        return {
            name: db.execute(f"select * from {name} order by all").df()
            for name in (*MARTS, "publication")
        }


def test_build_publishes_every_mart_with_matching_rows(default_build):
    published = published_tables(default_build)
    manifest = published["publication"].set_index("mart_name")
    assert set(manifest.index) == set(MARTS)
    assert manifest.build_id.nunique() == 1 and manifest.is_published.all()
    model = default_build.query("select * from publication order by mart_name")
    pd.testing.assert_frame_equal(model, published["publication"])
    current = PublicationLayout(default_build.published).current
    for mart in MARTS:
        built = default_build.query(f"select * from {mart} order by all")
        assert manifest.at[mart, "row_count"] == len(built), mart
        assert manifest.at[mart, "column_count"] == built.shape[1], mart
        pd.testing.assert_frame_equal(built, published[mart])
        from_parquet = duckdb.sql(f"select * from '{current}/{mart}.parquet' order by all").df()
        pd.testing.assert_frame_equal(built, from_parquet, check_dtype=False)


# What the builds under readers read, in turn, from one file (so dbt parses once), and
# whether each succeeds: new data, too many bad rows, other new data. Row counts differ
# from build to build, so a read mixing two builds would match neither build's counts.
BUILD_INPUTS = [
    (True, bundled_rows()[:150] + BAD_ROWS[:3]),
    (False, bundled_rows()[:20] + [f"{900 + i},Female,abc,40,50" for i in range(30)]),
    (True, bundled_rows()[40:]),
]


def test_readers_under_load_never_fail_block_or_see_a_mixture(default_build, tmp_path):
    database, directory = copy_of(default_build, tmp_path / "build")
    published = PublicationLayout(directory)
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDING_READER, str(published.database)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    stop = tmp_path / "stop"
    # Their reports go to files: a pipe nobody reads until the end would fill and block.
    kinds = ("database", "parquet")
    logs = [tmp_path / f"reader_{number}.jsonl" for number in range(len(kinds))]
    readers = []
    for kind, log in zip(kinds, logs, strict=True):
        with log.open("w") as output:
            readers.append(
                subprocess.Popen(
                    [sys.executable, "-c", ARRIVING_READERS, kind, str(directory), str(stop)],
                    stdout=output,
                )
            )
    customers = tmp_path / "customers.csv"
    # Each publication's own manifest, by build id, as the build database recorded it.
    manifests = {}
    try:
        before = json.loads(holder.stdout.readline())
        manifests[before["build_id"]] = before["published"]
        while not all(log.read_text().endswith("\n") for log in logs):
            time.sleep(0.05)  # every reader has read once before the first build
        outcomes = []
        for _, rows in BUILD_INPUTS:
            customers.write_text("\n".join([HEADER, *rows]) + "\n")
            run = run_dbt(
                ["build"],
                database,
                dbt_vars={"customers_file": str(customers)},
                published=directory,
            )
            outcomes.append(run.success)
            if run.success:
                manifest = run.query("select mart_name, row_count, build_id from publication")
                manifests[manifest.build_id[0]] = dict(
                    zip(manifest.mart_name, manifest.row_count.tolist(), strict=True)
                )
        # Stop once every reader has seen the last publication too.
        last = list(manifests)[-1]
        deadline = time.monotonic() + 30
        while not all(last in log.read_text() for log in logs) and time.monotonic() < deadline:
            time.sleep(0.05)
        holder.stdin.write("again\n")
        holder.stdin.flush()
        after = json.loads(holder.stdout.readline())
    finally:
        stop.touch()
        holder.stdin.close()
        holder.wait(timeout=30)
        for reader in readers:
            reader.wait(timeout=30)
    reads = [[json.loads(line) for line in log.read_text().splitlines()] for log in logs]

    assert outcomes == [succeeds for succeeds, _ in BUILD_INPUTS]
    # The reader that held the file throughout still sees the old, whole publication.
    assert after == before
    assert before["published"] == before["actual"]
    for kind, seen in zip(kinds, reads, strict=True):
        # Readers kept arriving throughout, were never refused and never saw a mixture:
        # every read is one published build's, every mart at that build's row count.
        assert [read for read in seen if "error" in read] == [], kind
        assert all(read["build_ids"] == 1 for read in seen), kind
        assert all(read["published"] == read["actual"] for read in seen), kind
        assert all(read["actual"] == manifests[read["build_id"]] for read in seen), kind
        # ... and saw every publication in turn, the failed build publishing none.
        assert list(dict.fromkeys(read["build_id"] for read in seen)) == list(manifests), kind


def test_a_failed_build_leaves_the_previous_publication_unchanged(default_build, tmp_path):
    database, published = copy_of(default_build, tmp_path / "build")
    before = publication_snapshot(published)
    path = tmp_path / "mostly_bad.csv"
    rows = bundled_rows()[:20] + [f"{900 + i},Female,abc,40,50" for i in range(30)]
    path.write_text("\n".join([HEADER, *rows]) + "\n")
    run = run_dbt(["build"], database, dbt_vars={"customers_file": str(path)}, published=published)
    assert not run.success
    assert run.statuses["publication"] == "skipped"
    assert publication_snapshot(published) == before


def test_dbt_run_does_not_publish_untested_marts(default_build, tmp_path):
    database, published = copy_of(default_build, tmp_path / "build")
    before = publication_snapshot(published)
    run = run_dbt(["run", "--select", "publication"], database, published=published)
    assert run.success, run.explain()
    assert not run.query("select * from publication").is_published.any()
    assert publication_snapshot(published) == before
