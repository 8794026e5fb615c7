"""Publish the marts for readers: one DuckDB file and one Parquet file per mart.

DuckDB lets one process write a database file, and while it writes nobody else may open
it, not even to read. So the build never shares its own file with readers: at the end
of a successful build it copies the marts into a new, separate database file and a new
directory of Parquet files, then switches readers over with one atomic rename each.

Layout of the publication directory:

    segmentation.duckdb          the marts plus a `publication` table (the manifest)
    parquet/current -> <version> symlink to the newest version
    parquet/<version>/<mart>.parquet
    .publish.lock                taken while publishing, so two builds never interleave

A reader that opened the database file before a switch keeps reading the old file
(its inode lives on until the reader closes it); a reader that opens it after sees the
new one. Nothing a reader does can block the build, nor the build a reader. Parquet
readers that read several files and need them to agree should resolve `current` once
(the previous version is kept for them; older ones are pruned).

The staged database is a copy of the build's database file with everything but the
marts dropped, when the marts are tables there and make up a good share of it: a file
copy costs a fraction of writing the big marts again, at the price of a larger file
(the dropped tables leave free blocks, which DuckDB reuses but does not give back).
Otherwise each mart is written into a new file from its query.

The published database is written in the storage format of `published_storage_version`
(default v1.0.0, which DuckDB 0.10.3 and every later release reads: BI drivers and
CLIs often bundle an older DuckDB than the build's). The file copy is taken only when
the build database already has that format (the profile creates it so); otherwise
the marts are written.

The dbt model `publication` calls `publish_marts` with the build's own connection.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import re
import shutil
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd

DATABASE_FILE_NAME = "segmentation.duckdb"
PARQUET_DIR_NAME = "parquet"
CURRENT_LINK_NAME = "current"
MANIFEST_TABLE = "publication"
ENV_VAR = "SEGMENTATION_PUBLISHED_DIR"
DEFAULT_DIR_NAME = "published"

_IDENTIFIER = re.compile(r"^[a-z_][a-z0-9_]*$")
# What dbt-duckdb's `dbt.ref(...).sql_query()` is for a model: a whole relation.
_WHOLE_RELATION = re.compile(r'^select \* from "([^"]+)"\."([^"]+)"\."([^"]+)"$', re.IGNORECASE)
# Copy the build database only when its marts hold at least this share of its rows:
# otherwise the copy would carry (and then drop) mostly other data.
MIN_COPIED_ROW_SHARE = 1 / 3
_VERSION = re.compile(r"^\d{8}T\d{12}Z-[0-9a-f]{8}$")
# The storage format of the published database: readable by DuckDB 0.10.3 and every
# later release, so by the DuckDB that BI drivers and CLIs bundle.
DEFAULT_STORAGE_VERSION = "v1.0.0"
_STORAGE_VERSION = re.compile(r"^(latest|v\d+\.\d+\.\d+)$")
_STAGED_PREFIX = ".staged-"
MANIFEST_COLUMNS = [
    "mart_name",
    "build_id",
    "parquet_version",
    "row_count",
    "column_count",
    "is_published",
    "published_at",
]


@dataclass(frozen=True)
class PublicationLayout:
    """Where each published artefact lives inside the publication directory."""

    directory: Path

    @property
    def database(self) -> Path:
        """The published DuckDB file."""
        return self.directory / DATABASE_FILE_NAME

    @property
    def parquet_root(self) -> Path:
        """The directory holding the Parquet versions."""
        return self.directory / PARQUET_DIR_NAME

    @property
    def current(self) -> Path:
        """The link naming the current Parquet version."""
        return self.parquet_root / CURRENT_LINK_NAME

    def parquet_version(self, version: str) -> Path:
        """The directory of one Parquet version."""
        return self.parquet_root / version

    def current_version(self) -> str | None:
        """The version `current` points at, or None before the first publication."""
        try:
            return os.readlink(self.current)
        except FileNotFoundError:
            return None


def resolve_directory(configured: str | None, build_database: str | None) -> Path:
    """The publication directory: the configured one (relative paths resolve against
    the directory dbt runs in), else `published/` beside the build's database file."""
    if configured is not None and str(configured).strip():
        return Path(str(configured).strip()).expanduser().resolve()
    if not build_database or build_database == ":memory:":
        return (Path.cwd() / DEFAULT_DIR_NAME).resolve()
    return Path(build_database).expanduser().resolve().parent / DEFAULT_DIR_NAME


def build_database_path(connection) -> str | None:
    """The file behind the connection's current database (None when in memory)."""
    row = connection.execute(
        "select path from duckdb_databases() where database_name = current_database()"
    ).fetchone()
    return row[0] if row else None


def parse_storage_version(value) -> str:
    """Validate published_storage_version: a DuckDB release such as v1.0.0 (the
    oldest DuckDB that must read the file) or latest (the build's own DuckDB); null
    takes the default."""
    if value is None or (isinstance(value, str) and value.strip().lower() in ("", "none")):
        return DEFAULT_STORAGE_VERSION
    text = str(value).strip()
    if not _STORAGE_VERSION.match(text):
        raise ValueError(
            "published_storage_version must be a DuckDB release such as v1.0.0, or latest; "
            f"got {value!r}"
        )
    return text


def version_name(build_id: str, published_at: datetime) -> str:
    """A Parquet version directory name that sorts by publication time."""
    short = re.sub(r"[^0-9a-f]", "", build_id.lower())[:8].ljust(8, "0")
    return f"{published_at:%Y%m%dT%H%M%S%f}Z-{short}"


def manifest_frame(
    counts: Mapping[str, tuple[int, int]],
    build_id: str,
    version: str,
    published_at: datetime,
    is_published: bool,
) -> pd.DataFrame:
    """One row per mart: what was (or would be) published, with its size."""
    frame = pd.DataFrame(
        {
            "mart_name": list(counts),
            "build_id": build_id,
            "parquet_version": version,
            "row_count": [rows for rows, _ in counts.values()],
            "column_count": [columns for _, columns in counts.values()],
            "is_published": is_published,
            "published_at": published_at.replace(tzinfo=None),
        },
        columns=MANIFEST_COLUMNS,
    )
    return frame.astype({"row_count": "int64", "column_count": "int64", "is_published": "bool"})


def measure(connection, sources: Mapping[str, str]) -> dict[str, tuple[int, int]]:
    """Row and column counts of each source query."""
    counts = {}
    for name, query in sources.items():
        rows = connection.execute(f"select count(*) from ({query})").fetchone()[0]
        columns = len(connection.execute(f"select * from ({query}) limit 0").description)
        counts[name] = (int(rows), columns)
    return counts


def publish_marts(
    connection,
    sources: Mapping[str, str],
    directory: Path,
    build_id: str,
    published_at: datetime | None = None,
    storage_version: str = DEFAULT_STORAGE_VERSION,
) -> pd.DataFrame:
    """Copy every source into a new database file and Parquet version, then switch.

    `sources` maps each mart name to a query selecting it on `connection` (for a dbt
    relation, its `sql_query()`). Nothing readers can see changes until every mart has
    been written; if anything fails the previous publication stays as it was. The
    database file has the storage format of `storage_version` (see
    parse_storage_version). Returns the manifest (also stored as the `publication`
    table).
    """
    for name in sources:
        if not _IDENTIFIER.match(name) or name == MANIFEST_TABLE:
            raise ValueError(f"cannot publish a mart named {name!r}")
    published_at = (published_at or datetime.now(UTC)).astimezone(UTC)
    layout = PublicationLayout(Path(directory))
    layout.parquet_root.mkdir(parents=True, exist_ok=True)
    version = version_name(build_id, published_at)
    # A cursor is a connection of its own: dbt's may be inside a transaction that has
    # written to the build database, and one transaction cannot write to two files.
    cursor = connection.cursor()
    try:
        with _exclusive(layout.directory / ".publish.lock"):
            _remove_staged(layout)
            manifest = manifest_frame(
                measure(cursor, sources), build_id, version, published_at, True
            )
            token = uuid.uuid4().hex[:8]
            staged_database = layout.directory / f"{_STAGED_PREFIX}{token}.duckdb"
            staged_parquet = layout.parquet_root / f"{_STAGED_PREFIX}{token}"
            try:
                _write_database(cursor, sources, manifest, staged_database, storage_version)
                _write_parquet(cursor, sources, manifest, staged_parquet)
                _switch(layout, staged_database, staged_parquet, version)
            except BaseException:
                _remove(staged_database)
                _remove(staged_parquet)
                raise
    finally:
        cursor.close()
    return manifest


def _write_database(
    cursor, sources, manifest: pd.DataFrame, path: Path, storage_version: str
) -> None:
    copied = _copyable_marts(cursor, sources)
    if copied and _storage_tag(cursor, "current_database()") != _new_file_tag(
        cursor, path.with_name(path.stem + "-format.duckdb"), storage_version
    ):
        copied = set()
    alias = f"publication_{uuid.uuid4().hex[:8]}"
    if copied:
        _copy_database_file(cursor, path)
        cursor.execute(f"attach {_literal(path)} as {alias}")
    else:
        _attach_new(cursor, path, alias, storage_version)
    try:
        if copied:
            _drop_all_but(cursor, alias, copied)
        for name, query in sources.items():
            if name not in copied:
                cursor.execute(f'create table {alias}.main."{name}" as {query}')
        cursor.register("publication_manifest", manifest)
        try:
            cursor.execute(
                f"create table {alias}.main.{MANIFEST_TABLE} as "
                "select * from publication_manifest order by mart_name"
            )
        finally:
            cursor.unregister("publication_manifest")
    finally:
        # Detaching checkpoints: the file is complete on its own, with no WAL beside it.
        cursor.execute(f"detach {alias}")


def _attach_new(cursor, path: Path, alias: str, storage_version: str) -> None:
    """Attach a new database file `path` with the storage format of `storage_version`."""
    import duckdb

    try:
        cursor.execute(
            f"attach {_literal(path)} as {alias} (storage_version {_literal(storage_version)})"
        )
    except duckdb.Error as error:
        raise ValueError(
            f"published_storage_version {storage_version!r} cannot be written by this "
            f"DuckDB: {error}"
        ) from error


def _storage_tag(cursor, database: str) -> str | None:
    """The storage format DuckDB reports for an attached database (such as v1.0.0+)."""
    row = cursor.execute(
        f"select tags['storage_version'] from duckdb_databases() where database_name = {database}"
    ).fetchone()
    return row[0] if row else None


def _new_file_tag(cursor, probe: Path, storage_version: str) -> str | None:
    """The storage format a new file written for `storage_version` gets: asked of
    DuckDB with an empty probe file, since several releases share one format."""
    alias = f"probe_{uuid.uuid4().hex[:8]}"
    _attach_new(cursor, probe, alias, storage_version)
    try:
        return _storage_tag(cursor, _literal(alias))
    finally:
        cursor.execute(f"detach {alias}")
        _remove(probe)


def _copyable_marts(cursor, sources: Mapping[str, str]) -> set[str]:
    """The marts a copy of the build database file would already hold as they are to be
    published (a whole table `main.<mart name>` of it), or none when copying does not
    pay: an in-memory build, or marts that are a small part of the file's rows."""
    build_file = build_database_path(cursor)
    if not build_file or build_file == ":memory:":
        return set()
    database = cursor.execute("select current_database()").fetchall()[0][0]
    row_counts = dict(
        cursor.execute(
            "select schema_name || '.' || table_name, estimated_size from duckdb_tables() "
            "where database_name = current_database()"
        ).fetchall()
    )
    copyable = set()
    for name, query in sources.items():
        match = _WHOLE_RELATION.match(query.strip())
        if match and match.groups() == (database, "main", name) and f"main.{name}" in row_counts:
            copyable.add(name)
    copied_rows = sum(row_counts[f"main.{name}"] for name in copyable)
    if copied_rows < MIN_COPIED_ROW_SHARE * sum(row_counts.values()):
        return set()
    return copyable


def _copy_database_file(cursor, path: Path) -> None:
    """Copy the build database file (with its WAL: what is committed but not yet
    checkpointed). Nothing writes to it meanwhile: dbt runs one node at a time and this
    is the node; an open transaction of dbt's has written nothing to the WAL yet."""
    import duckdb

    # Fails while dbt's connection has an open write transaction: the WAL is copied too.
    with contextlib.suppress(duckdb.TransactionException):
        cursor.execute("checkpoint")
    build_file = Path(build_database_path(cursor))
    shutil.copyfile(build_file, path)
    wal = build_file.with_name(build_file.name + ".wal")
    if wal.exists():
        shutil.copyfile(wal, path.with_name(path.name + ".wal"))


def _drop_all_but(cursor, alias: str, kept: set[str]) -> None:
    """Drop every object of the attached copy `alias` but the tables main.<kept>."""

    def names(query: str) -> list[tuple]:
        return cursor.execute(query, [alias]).fetchall()

    for (schema,) in names(
        "select schema_name from duckdb_schemas() "
        "where database_name = ? and not internal and schema_name != 'main'"
    ):
        cursor.execute(f"drop schema if exists {alias}.{_quoted(schema)} cascade")
    for (view,) in names(
        "select view_name from duckdb_views() where database_name = ? and not internal"
    ):
        cursor.execute(f"drop view if exists {alias}.main.{_quoted(view)}")
    for (table,) in names("select table_name from duckdb_tables() where database_name = ?"):
        if table not in kept:
            cursor.execute(f"drop table if exists {alias}.main.{_quoted(table)}")
    for (sequence,) in names(
        "select sequence_name from duckdb_sequences() where database_name = ?"
    ):
        cursor.execute(f"drop sequence if exists {alias}.main.{_quoted(sequence)}")
    for name, kind in names(
        "select function_name, function_type from duckdb_functions() "
        "where database_name = ? and not internal and function_type in ('macro', 'table_macro')"
    ):
        table = " table" if kind == "table_macro" else ""
        cursor.execute(f"drop macro{table} if exists {alias}.main.{_quoted(name)}")
    for (type_name,) in names(
        "select type_name from duckdb_types() where database_name = ? and not internal"
    ):
        cursor.execute(f"drop type if exists {alias}.main.{_quoted(type_name)}")


def _write_parquet(cursor, sources, manifest: pd.DataFrame, path: Path) -> None:
    path.mkdir()
    # A mart's rows have no order, and without keeping the scan's order DuckDB writes
    # row groups as each thread finishes them, far sooner. The setting belongs to the
    # whole database, so it is restored. zstd at level 1 compresses text ids (UUIDs)
    # as well as the default level, faster.
    setting = "select current_setting('preserve_insertion_order')"
    keeps_order = cursor.execute(setting).fetchall()[0][0]
    cursor.execute("set preserve_insertion_order = false")
    try:
        for name, query in sources.items():
            target = _literal(path / f"{name}.parquet")
            cursor.execute(
                f"copy ({query}) to {target} "
                "(format parquet, compression zstd, compression_level 1)"
            )
    finally:
        cursor.execute(f"set preserve_insertion_order = {'true' if keeps_order else 'false'}")
    manifest.to_parquet(path / f"{MANIFEST_TABLE}.parquet", index=False)


def _switch(layout: PublicationLayout, staged_database: Path, staged_parquet: Path, version):
    previous = layout.current_version()
    target = layout.parquet_version(version)
    staged_parquet.rename(target)
    # A WAL left beside the published name (someone opened it read-write) belongs to
    # the old file and must not be replayed onto the new one.
    _remove(layout.database.with_name(layout.database.name + ".wal"))
    os.replace(staged_database, layout.database)
    link = layout.parquet_root / f"{_STAGED_PREFIX}{uuid.uuid4().hex[:8]}.link"
    os.symlink(version, link)
    os.replace(link, layout.current)
    _prune(layout, keep={version, previous})


def _prune(layout: PublicationLayout, keep: set) -> None:
    """Remove Parquet versions other than the current and the previous one."""
    for entry in layout.parquet_root.iterdir():
        if _VERSION.match(entry.name) and entry.name not in keep:
            shutil.rmtree(entry, ignore_errors=True)


def _remove_staged(layout: PublicationLayout) -> None:
    """Leftovers of a publication that crashed half-way (the lock is held)."""
    for folder in (layout.directory, layout.parquet_root):
        for entry in folder.iterdir():
            if entry.name.startswith(_STAGED_PREFIX):
                _remove(entry)


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)
        if path.suffix == ".duckdb":
            path.with_name(path.name + ".wal").unlink(missing_ok=True)


@contextmanager
def _exclusive(lock_path: Path) -> Iterator[None]:
    with open(lock_path, "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _literal(path: Path | str) -> str:
    return "'" + str(path).replace("'", "''") + "'"


def _quoted(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def invocation() -> tuple[str, str | None, bool]:
    """dbt's invocation id, command (build, run, ...) and --empty flag, read from the
    dbt process the Python model runs in."""
    from dbt.flags import get_flags
    from dbt_common.invocation import get_invocation_id

    flags = get_flags()
    return (
        get_invocation_id(),
        getattr(flags, "WHICH", None),
        bool(getattr(flags, "EMPTY", False)),
    )


def skipped_manifest(connection, sources: Mapping[str, str], build_id: str) -> pd.DataFrame:
    """The manifest of a run that does not publish (anything but a full `dbt build`)."""
    published_at = datetime.now(UTC)
    return manifest_frame(
        measure(connection, sources),
        build_id,
        version_name(build_id, published_at),
        published_at,
        False,
    )
