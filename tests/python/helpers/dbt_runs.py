"""Real dbt invocations for the tests: dbt's programmatic runner, one at a time,
against temporary DuckDB files, and the results read back; copies of the project and
of build databases."""

from __future__ import annotations

import hashlib
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pandas as pd
import pytest
import yaml

PROJECT_DIR = Path(__file__).resolve().parents[3]


SHARED_DATA_DIR = PROJECT_DIR.parent / "shared" / "data"


PROJECT_FILES = (
    "dbt_project.yml",
    "profiles.yml",
    "selectors.yml",
    "models",
    "macros",
    "seeds",
    "tests",
    "analyses",
)


@dataclass
class DbtRun:
    """One dbt invocation's outcome: success, the database and publication it wrote, and
    each node's status, with the failing nodes' messages."""

    success: bool
    database: Path
    published: Path
    messages: list[str] = field(default_factory=list)
    statuses: dict[str, str] = field(default_factory=dict)

    def query(self, sql: str) -> pd.DataFrame:
        """Run a query on the build database; the rows as a DataFrame."""
        with connect_build(self.database) as connection:
            return connection.execute(sql).df()

    def explain(self) -> str:
        """The failing nodes' messages, for an assertion's message."""
        return "\n".join(self.messages) or "no failing nodes"


def build_config() -> dict:
    """The DuckDB configuration dbt opens the build database with (the profile's
    config_options)."""
    profile = yaml.safe_load((PROJECT_DIR / "profiles.yml").read_text())
    return dict(profile["customer_segmentation"]["outputs"]["dev"].get("config_options") or {})


def connect_build(database: Path) -> duckdb.DuckDBPyConnection:
    """A connection to a build database as dbt opens it. Not read_only and with the
    profile's configuration: dbt, in this same process, may still hold the file open,
    and DuckDB refuses a second connection with a different configuration."""
    return duckdb.connect(str(database), config=build_config())


def run_dbt(
    args: list[str],
    database: Path,
    project_dir: Path = PROJECT_DIR,
    dbt_vars: dict | None = None,
    published: Path | None = None,
) -> DbtRun:
    """Invoke dbt in this process and report failing nodes by name. The publication
    goes to `published` (through SEGMENTATION_PUBLISHED_DIR), never into the repo; its
    default differs from the model's own fallback, so the variable is really used."""
    from dbt.cli.main import dbtRunner

    work_dir = database.parent
    command = [
        *args,
        "--project-dir",
        str(project_dir),
        "--profiles-dir",
        str(project_dir),
        "--target-path",
        str(work_dir / "target"),
        "--log-path",
        str(work_dir / "logs"),
    ]
    if dbt_vars:
        import json

        command += ["--vars", json.dumps(dbt_vars)]
    published = published or work_dir / "published_for_readers"
    environment = {
        "SEGMENTATION_DUCKDB_PATH": str(database),
        "SEGMENTATION_PUBLISHED_DIR": str(published),
    }
    previous = {name: os.environ.get(name) for name in environment}
    os.environ.update(environment)
    try:
        result = dbtRunner().invoke(command)
    finally:
        for name, value in previous.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
    run = DbtRun(success=result.success, database=database, published=published)
    if result.exception is not None:
        run.messages.append(f"exception: {result.exception}")
    for node_result in getattr(result.result, "results", None) or []:
        name = node_result.node.name
        status = str(node_result.status)
        run.statuses[name] = status
        if status in ("error", "fail", "warn"):
            run.messages.append(f"{status} {name}: {node_result.message}")
    return run


def publication_snapshot(directory: Path) -> dict[str, str]:
    """Every file's digest and every link's target under the publication directory."""
    state = {}
    for path in sorted(directory.rglob("*")):
        key = str(path.relative_to(directory))
        if path.is_symlink():
            state[key] = "-> " + str(path.readlink())
        elif path.is_file() and path.name != ".publish.lock":
            state[key] = hashlib.sha256(path.read_bytes()).hexdigest()
    return state


def copy_project(destination: Path) -> Path:
    """A throwaway copy of the project, for tests that replace the bundled seed."""
    destination.mkdir(parents=True, exist_ok=True)
    for name in PROJECT_FILES:
        source = PROJECT_DIR / name
        if source.is_dir():
            shutil.copytree(
                source, destination / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc")
            )
        else:
            shutil.copy2(source, destination / name)
    return destination


def copy_database(source: Path, destination: Path) -> Path:
    """A DuckDB file with its write-ahead log: dbt, in this same process, may keep the
    database open, so the last build's commits can still be in the .wal file."""
    shutil.copy(source, destination)
    wal = source.with_name(source.name + ".wal")
    if wal.exists():
        shutil.copy(wal, destination.with_name(destination.name + ".wal"))
    return destination


def copy_of(build: DbtRun, destination: Path) -> tuple[Path, Path]:
    """A build's database and publication, to rebuild without touching them."""
    destination.mkdir()
    copy_database(build.database, destination / "segmentation.duckdb")
    shutil.copytree(build.published, destination / "published", symlinks=True)
    return destination / "segmentation.duckdb", destination / "published"


def public_mall_file(name: str) -> Path:
    """The public Mall_Customers.csv copy `name` in ../shared/data; skips where it is absent."""
    path = SHARED_DATA_DIR / name
    if not path.exists():
        pytest.skip(f"{path} is not here (only checked where ../shared/data exists)")
    return path


def successful_build(tmp_path, name: str, **dbt_vars) -> DbtRun:
    """`dbt build` into tmp_path/<name>.duckdb with these vars; fails the test unless it
    succeeds."""
    run = run_dbt(["build"], tmp_path / f"{name}.duckdb", dbt_vars=dbt_vars)
    assert run.success, run.explain()
    return run


def successful_build_on(tmp_path, name: str, table, **dbt_vars) -> DbtRun:
    """`successful_build` on a customer table (a DataFrame) written as the CSV file
    tmp_path/<name>.csv, without its index, and given as `customers_file`."""
    path = tmp_path / f"{name}.csv"
    table.to_csv(path, index=False)
    return successful_build(tmp_path, name, customers_file=str(path), **dbt_vars)
