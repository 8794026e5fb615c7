"""End to end: `dbt build` publishes the marts for readers, and only when it succeeds."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import textwrap

import duckdb
import pandas as pd

from conftest import publication_snapshot, run_dbt
from customer_segmentation.publish import PublicationLayout
from test_dbt_build import HEADER, MARTS, bundled_rows

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

# Readers that keep arriving during a build: each opens the published file, checks that
# the manifest agrees with the tables, and closes it, until the stop file appears.
ARRIVING_READERS = textwrap.dedent(
    """
    import json, os, sys, time, duckdb
    path, stop = sys.argv[1], sys.argv[2]
    while True:
        try:
            with duckdb.connect(path, read_only=True) as connection:
                rows = connection.execute(
                    "select mart_name, row_count, build_id from publication").fetchall()
                consistent = all(
                    connection.execute(f"select count(*) from {name}").fetchone()[0] == count
                    for name, count, _ in rows)
                print(json.dumps({"build_id": rows[0][2], "consistent": consistent}),
                      flush=True)
        except Exception as error:
            print(json.dumps({"error": str(error)}), flush=True)
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


def copy_of(default_build, destination):
    """The shared build's database and publication, to rebuild without touching them."""
    destination.mkdir()
    shutil.copy(default_build.database, destination / "segmentation.duckdb")
    shutil.copytree(default_build.published, destination / "published", symlinks=True)
    return destination / "segmentation.duckdb", destination / "published"


def test_readers_neither_block_a_rebuild_nor_see_it_half_done(default_build, tmp_path):
    database, directory = copy_of(default_build, tmp_path / "build")
    published = PublicationLayout(directory)
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDING_READER, str(published.database)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    stop = tmp_path / "stop"
    arrivals = subprocess.Popen(
        [sys.executable, "-c", ARRIVING_READERS, str(published.database), str(stop)],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        before = json.loads(holder.stdout.readline())
        first_arrival = json.loads(arrivals.stdout.readline())
        assert first_arrival.get("consistent"), first_arrival
        rebuilt = run_dbt(["build"], database, published=directory)
        assert rebuilt.success, rebuilt.explain()
        holder.stdin.write("again\n")
        holder.stdin.flush()
        after = json.loads(holder.stdout.readline())
    finally:
        stop.touch()
        holder.stdin.close()
        holder.wait(timeout=30)
        arrivals.wait(timeout=30)
    seen = [first_arrival] + [json.loads(line) for line in arrivals.stdout.read().splitlines()]

    new_build_id = rebuilt.query("select any_value(build_id) as b from publication").b[0]
    assert new_build_id != before["build_id"]
    # The reader that held the file throughout still sees the old, whole publication.
    assert after == before
    assert before["published"] == before["actual"]
    # Readers arriving during the build were never refused and never saw a mixture.
    assert len(seen) >= 3, "the readers should have kept arriving while dbt built"
    assert [s for s in seen if "error" in s] == []
    assert all(s["consistent"] for s in seen)
    assert {s["build_id"] for s in seen} <= {before["build_id"], new_build_id}
    # A reader arriving now sees the new publication.
    with duckdb.connect(str(published.database), read_only=True) as fresh:
        assert fresh.execute("select any_value(build_id) from publication").fetchone() == (
            new_build_id,
        )


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
