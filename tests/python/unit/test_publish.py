"""Unit tests of the publication logic on plain DuckDB connections (no dbt)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from customer_segmentation.publication.publish import (
    PublicationLayout,
    build_database_path,
    parse_storage_version,
    publish_marts,
    resolve_directory,
    version_name,
)
from helpers.dbt_runs import publication_snapshot

SOURCES = {
    "customer_segments": "select * from main.customers",
    "segment_profiles": "select segment_id, count(*) as customer_count from main.customers "
    "group by segment_id",
}
BUILD_ID = "0f1e2d3c-aaaa-bbbb-cccc-000000000001"
START = datetime(2030, 1, 2, 3, 4, 5, tzinfo=UTC)


@pytest.fixture
def build(tmp_path):
    connection = duckdb.connect(str(tmp_path / "build.duckdb"))
    connection.execute(
        "create table customers as "
        "select range as customer_id, range % 3 as segment_id from range(1000)"
    )
    yield connection
    connection.close()


def test_directory_is_configured_or_beside_the_build_database(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert resolve_directory("out/pub", "/data/build.duckdb") == tmp_path / "out/pub"
    assert resolve_directory("  ", "/data/build.duckdb") == Path("/data/published")
    assert resolve_directory(None, "build.duckdb") == tmp_path / "published"
    assert resolve_directory(None, ":memory:") == tmp_path / "published"


def test_build_database_path_names_the_file(build, tmp_path):
    assert build_database_path(build) == str(tmp_path / "build.duckdb")


def test_versions_sort_by_publication_time():
    earlier = version_name("ffffffff-0000", START)
    later = version_name("00000000-ffff", START + timedelta(microseconds=1))
    assert earlier < later
    assert earlier == "20300102T030405000000Z-ffffffff"


def test_publish_writes_database_parquet_and_manifest(build, tmp_path):
    directory = tmp_path / "published"
    manifest = publish_marts(build, SOURCES, directory, BUILD_ID, START)
    assert manifest.set_index("mart_name").row_count.to_dict() == {
        "customer_segments": 1000,
        "segment_profiles": 3,
    }
    layout = PublicationLayout(directory)
    with duckdb.connect(str(layout.database), read_only=True) as reader:
        tables = {row[0] for row in reader.execute("show tables").fetchall()}
        assert tables == {"customer_segments", "segment_profiles", "publication"}
        stored = reader.execute("select * from publication order by mart_name").df()
        assert stored.build_id.unique().tolist() == [BUILD_ID]
        assert stored.published_at.tolist() == [pd.Timestamp("2030-01-02 03:04:05")] * 2
        segments = reader.execute("select * from customer_segments order by all").df()
    assert layout.current_version() == version_name(BUILD_ID, START)
    from_parquet = duckdb.sql(
        f"select * from '{layout.current}/customer_segments.parquet' order by all"
    ).df()
    pd.testing.assert_frame_equal(segments, from_parquet)
    # Parquet is written without keeping row order; the build's setting comes back.
    assert build.execute("select current_setting('preserve_insertion_order')").fetchall() == [
        (True,)
    ]
    # Nothing staged is left behind, and no WAL beside the published file.
    assert sorted(p.name for p in directory.iterdir()) == [
        ".publish.lock",
        "parquet",
        "segmentation.duckdb",
    ]


def test_republishing_keeps_the_previous_parquet_version_only(build, tmp_path):
    directory = tmp_path / "published"
    versions = []
    for minute in range(3):
        when = START + timedelta(minutes=minute)
        build.execute("insert into customers values (10000 + ?, 1)", [minute])
        publish_marts(build, SOURCES, directory, BUILD_ID, when)
        versions.append(version_name(BUILD_ID, when))
    root = PublicationLayout(directory).parquet_root
    assert sorted(p.name for p in root.iterdir()) == [*versions[1:], "current"]
    assert PublicationLayout(directory).current_version() == versions[2]


def test_a_failure_half_way_leaves_the_previous_publication_untouched(build, tmp_path):
    directory = tmp_path / "published"
    publish_marts(build, SOURCES, directory, BUILD_ID, START)
    before = publication_snapshot(directory)
    broken = {**SOURCES, "customer_quarantine": "select * from main.no_such_table"}
    with pytest.raises(duckdb.CatalogException):
        publish_marts(build, broken, directory, "new-build", START + timedelta(hours=1))
    assert publication_snapshot(directory) == before
    assert build.execute("select current_setting('preserve_insertion_order')").fetchall() == [
        (True,)
    ]
    assert not [p for p in directory.rglob(".staged-*")]


def test_a_failure_after_staging_leaves_no_half_publication(build, tmp_path, monkeypatch):
    from customer_segmentation.publication import publish

    directory = tmp_path / "published"
    publish_marts(build, SOURCES, directory, BUILD_ID, START)
    before = publication_snapshot(directory)
    write_parquet = publish._write_parquet

    def fill_the_disk(*args):
        write_parquet(*args)
        raise OSError("disk full")

    monkeypatch.setattr(publish, "_write_parquet", fill_the_disk)
    build.execute("delete from customers where customer_id >= 500")
    with pytest.raises(OSError, match="disk full"):
        publish_marts(build, SOURCES, directory, "new-build", START + timedelta(hours=1))
    assert publication_snapshot(directory) == before
    assert not [p for p in directory.rglob(".staged-*")]


def test_a_reader_holding_the_old_file_keeps_its_snapshot(build, tmp_path):
    directory = tmp_path / "published"
    publish_marts(build, SOURCES, directory, BUILD_ID, START)
    reader = duckdb.connect(str(PublicationLayout(directory).database), read_only=True)
    try:
        build.execute("delete from customers where customer_id >= 500")
        publish_marts(build, SOURCES, directory, "second-build", START + timedelta(hours=1))
        assert reader.execute("select count(*) from customer_segments").fetchone() == (1000,)
        assert reader.execute("select distinct build_id from publication").fetchall() == [
            (BUILD_ID,)
        ]
    finally:
        reader.close()
    with duckdb.connect(str(PublicationLayout(directory).database), read_only=True) as fresh:
        assert fresh.execute("select count(*) from customer_segments").fetchone() == (500,)


def test_publishing_from_inside_a_writing_transaction(build, tmp_path):
    """dbt's connection may have written to the build database in an open transaction."""
    build.execute("begin")
    build.execute("create table scratch as select 1 as one")
    publish_marts(build, SOURCES, tmp_path / "published", BUILD_ID, START)
    build.execute("commit")
    assert (tmp_path / "published/segmentation.duckdb").exists()


def test_a_stale_wal_beside_the_published_name_is_not_replayed(build, tmp_path):
    directory = tmp_path / "published"
    publish_marts(build, SOURCES, directory, BUILD_ID, START)
    wal = directory / "segmentation.duckdb.wal"
    wal.write_bytes(b"left by someone who opened the file read-write")
    publish_marts(build, SOURCES, directory, "second-build", START + timedelta(hours=1))
    assert not wal.exists()


@pytest.mark.parametrize("name", ["publication", "Bad-Name", "x; drop table y"])
def test_unsafe_mart_names_are_refused(build, tmp_path, name):
    with pytest.raises(ValueError, match="cannot publish"):
        publish_marts(build, {name: "select 1"}, tmp_path / "published", BUILD_ID, START)
    assert not (tmp_path / "published").exists()


@pytest.fixture
def build_with_mart_tables(tmp_path):
    """A build database whose marts are tables named as published, beside the kind of
    objects a dbt build leaves (other schemas, views, a stale manifest, macros, ...)."""
    # Created in the published format, as the profile creates the build database.
    connection = duckdb.connect(
        str(tmp_path / "build.duckdb"), config={"storage_compatibility_version": "v1.0.0"}
    )
    connection.execute(
        """
        create table customer_segments as
            select range as customer_id, range % 3 as segment_id from range(1000);
        create table segment_profiles as
            select segment_id, count(*) as customer_count from customer_segments group by 1;
        create table stg_customers as select * from customer_segments;
        create table publication as select 'stale' as mart_name;
        create view int_customers as select * from stg_customers;
        create schema raw;
        create table raw.mall_customers as select 1 as customer_id;
        create sequence build_ids;
        create macro plus_one(x) as x + 1;
        create macro table_of(n) as table select range from range(n);
        create type mood as enum ('calm', 'busy');
        """
    )
    yield connection
    connection.close()


WHOLE_TABLES = {
    "customer_segments": 'select * from "build"."main"."customer_segments"',
    "segment_profiles": 'select * from "build"."main"."segment_profiles"',
}


def test_marts_that_are_build_tables_are_copied_with_nothing_else(
    build_with_mart_tables, tmp_path, monkeypatch
):
    from customer_segmentation.publication import publish

    copies = []
    copy_database_file = publish._copy_database_file
    monkeypatch.setattr(
        publish, "_copy_database_file", lambda *args: copies.append(copy_database_file(*args))
    )
    directory = tmp_path / "published"
    publish_marts(build_with_mart_tables, WHOLE_TABLES, directory, BUILD_ID, START)
    assert len(copies) == 1
    with duckdb.connect(str(PublicationLayout(directory).database), read_only=True) as reader:
        catalog = reader.execute(
            "select schema_name, table_name from duckdb_tables() order by all"
        ).fetchall()
        assert catalog == [
            ("main", "customer_segments"),
            ("main", "publication"),
            ("main", "segment_profiles"),
        ]
        for query in (
            "select count(*) from duckdb_views() where not internal",
            "select count(*) from duckdb_sequences()",
            "select count(*) from duckdb_functions() where not internal",
            "select count(*) from duckdb_types() where not internal",
            "select count(*) from duckdb_schemas() where not internal",
        ):
            assert reader.execute(query).fetchall() == [(0,)], query
        totals = reader.execute("select count(*), sum(segment_id) from customer_segments")
        assert totals.fetchall() == [(1000, 999)]
        assert reader.execute("select mart_name from publication order by 1").fetchall() == [
            ("customer_segments",),
            ("segment_profiles",),
        ]
    assert not directory.joinpath("segmentation.duckdb.wal").exists()


def test_the_copy_holds_what_is_committed_not_what_an_open_transaction_wrote(
    build_with_mart_tables, tmp_path
):
    """dbt's connection commits each mart; the publication's own transaction is open."""
    build = build_with_mart_tables
    build.execute("delete from customer_segments where customer_id >= 600")  # committed
    build.execute("begin")
    build.execute("delete from customer_segments where customer_id < 100")  # not committed
    build.execute("create table scratch as select 1 as one")
    publish_marts(build, WHOLE_TABLES, tmp_path / "published", BUILD_ID, START)
    build.execute("rollback")
    database = PublicationLayout(tmp_path / "published").database
    with duckdb.connect(str(database), read_only=True) as reader:
        assert reader.execute("select count(*) from customer_segments").fetchall() == [(600,)]
        assert reader.execute(
            "select count(*) from duckdb_tables() where table_name = 'scratch'"
        ).fetchall() == [(0,)]


def test_marts_that_are_a_small_part_of_the_build_database_are_written_not_copied(
    build_with_mart_tables, tmp_path, monkeypatch
):
    from customer_segmentation.publication import publish

    build_with_mart_tables.execute(
        "create table other_data as select range as id from range(100000)"
    )

    def refuse(*args):
        raise AssertionError("copied a build database that is mostly other data")

    monkeypatch.setattr(publish, "_copy_database_file", refuse)
    directory = tmp_path / "published"
    publish_marts(build_with_mart_tables, WHOLE_TABLES, directory, BUILD_ID, START)
    with duckdb.connect(str(PublicationLayout(directory).database), read_only=True) as reader:
        assert reader.execute("select count(*) from customer_segments").fetchall() == [(1000,)]
        assert reader.execute(
            "select count(*) from duckdb_tables() where table_name = 'other_data'"
        ).fetchall() == [(0,)]


def storage_tag(path: Path) -> str:
    with duckdb.connect(str(path), read_only=True) as reader:
        return reader.execute(
            "select tags['storage_version'] from duckdb_databases() "
            "where database_name = current_database()"
        ).fetchone()[0]


def test_storage_version_is_a_release_or_latest():
    assert parse_storage_version(None) == "v1.0.0"
    assert parse_storage_version(" ") == "v1.0.0"
    assert parse_storage_version(" v1.2.0 ") == "v1.2.0"
    assert parse_storage_version("latest") == "latest"
    for wrong in ("1.0", "v1", "newest", 1.0):
        with pytest.raises(ValueError, match="published_storage_version must be"):
            parse_storage_version(wrong)


def test_a_build_database_in_another_format_is_written_in_the_published_one(tmp_path, monkeypatch):
    """A build database of the build's own (newer) format, as one created before the
    profile asked for v1.0.0: its marts are written into a v1.0.0 file, not copied."""
    from customer_segmentation.publication import publish

    def refuse(*args):
        raise AssertionError("copied a build database of another storage format")

    monkeypatch.setattr(publish, "_copy_database_file", refuse)
    build = duckdb.connect(str(tmp_path / "build.duckdb"))
    build.execute(
        "create table customer_segments as "
        "select range as customer_id, range % 3 as segment_id from range(1000);"
        "create table segment_profiles as "
        "select segment_id, count(*) as customer_count from customer_segments group by 1"
    )
    build_tag = build.execute(
        "select tags['storage_version'] from duckdb_databases() "
        "where database_name = current_database()"
    ).fetchone()[0]
    assert build_tag != "v1.0.0+"
    directory = tmp_path / "published"
    publish_marts(build, WHOLE_TABLES, directory, BUILD_ID, START)
    build.close()
    database = PublicationLayout(directory).database
    assert storage_tag(database) == "v1.0.0+"
    with duckdb.connect(str(database), read_only=True) as reader:
        assert reader.execute("select count(*) from customer_segments").fetchall() == [(1000,)]
    assert not list(directory.glob(".staged-*"))


def test_the_latest_format_is_written_when_asked_for(build_with_mart_tables, tmp_path):
    directory = tmp_path / "published"
    publish_marts(
        build_with_mart_tables, WHOLE_TABLES, directory, BUILD_ID, START, storage_version="latest"
    )
    # A new file in this DuckDB's own format.
    duckdb.connect(str(tmp_path / "fresh.duckdb")).close()
    published = PublicationLayout(directory).database
    assert storage_tag(published) == storage_tag(tmp_path / "fresh.duckdb") != "v1.0.0+"


def test_an_unknown_release_fails_naming_the_var_and_publishes_nothing(
    build_with_mart_tables, tmp_path
):
    directory = tmp_path / "published"
    with pytest.raises(ValueError, match="published_storage_version 'v99.0.0'"):
        publish_marts(
            build_with_mart_tables,
            WHOLE_TABLES,
            directory,
            BUILD_ID,
            START,
            storage_version="v99.0.0",
        )
    assert not PublicationLayout(directory).database.exists()
    assert not list(directory.glob(".staged-*"))
