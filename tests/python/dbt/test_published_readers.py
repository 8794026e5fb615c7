"""The published database read by older DuckDB releases than the build's, as BI
drivers and CLIs bundle them, and the client examples of docs/clients.md run as written.

The readers live in a virtual environment of their own (requirements-readers.txt),
created on first use under the user's cache directory and reused after."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest

from helpers.dbt_runs import PROJECT_DIR
from helpers.environments import cached_environment

READERS_REQUIREMENTS = PROJECT_DIR / "requirements-readers.txt"
CLIENT_PAGE = PROJECT_DIR / "docs" / "clients.md"
CLIENT_SECTION = "## Connect a SQL client or BI tool"


@pytest.fixture(scope="session")
def readers_environment() -> Path:
    """A virtual environment with the old readers; its bin directory."""
    return cached_environment(READERS_REQUIREMENTS, "readers", "duckdb")


def client_examples(language: str) -> list[str]:
    """The fenced `language` blocks of the client section (docs/clients.md) that use
    DuckDB."""
    page = CLIENT_PAGE.read_text()
    section = page.split(CLIENT_SECTION, 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(rf"```{language}\n(.*?)```", section, flags=re.DOTALL)
    return [block for block in blocks if "duckdb" in block]


def run_reader(command: list[str], bin_dir: Path, cwd: Path) -> subprocess.CompletedProcess:
    environment = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}"}
    environment.pop("PYTHONPATH", None)
    return subprocess.run(
        command, cwd=cwd, env=environment, capture_output=True, text=True, timeout=120
    )


@pytest.fixture
def reader_directory(default_build, tmp_path) -> Path:
    """A directory laid out as docs/clients.md assumes: published/ in it."""
    (tmp_path / "published").symlink_to(default_build.published)
    return tmp_path


def test_an_old_python_duckdb_reads_every_published_table_and_file(
    readers_environment, reader_directory, default_build
):
    script = """
import duckdb, json, pathlib
with duckdb.connect("published/segmentation.duckdb", read_only=True) as con:
    tables = [name for (name,) in con.execute("select table_name from duckdb_tables()").fetchall()]
    counts = {name: con.execute(f'select count(*) from "{name}"').fetchone()[0] for name in tables}
files = {
    path.stem: duckdb.sql(f"select count(*) from '{path}'").fetchone()[0]
    for path in pathlib.Path("published/parquet/current").glob("*.parquet")
}
print(json.dumps({"version": duckdb.__version__, "counts": counts, "files": files}))
"""
    result = run_reader(
        [str(readers_environment / "python"), "-c", script], readers_environment, reader_directory
    )
    assert result.returncode == 0, result.stderr
    import json

    read = json.loads(result.stdout)
    assert read["version"] == "0.10.3"
    manifest = default_build.query("select mart_name, row_count from publication")
    expected = dict(zip(manifest.mart_name, manifest.row_count, strict=True))
    expected["publication"] = len(manifest)
    assert read["counts"] == expected
    assert read["files"] == expected


def test_the_readmes_duckdb_cli_examples_run_as_written(readers_environment, reader_directory):
    commands = [
        block.replace("\\\n", " ").strip()
        for block in client_examples("bash")
        if block.lstrip().startswith("duckdb")
    ]
    assert len(commands) >= 2, "docs/clients.md's DuckDB CLI examples were not found"
    for command in commands:
        result = run_reader(["bash", "-c", command], readers_environment, reader_directory)
        assert result.returncode == 0, f"{command}\n{result.stderr}"
        assert "Error" not in result.stdout + result.stderr, command
        assert "│" in result.stdout, f"{command} printed no table:\n{result.stdout}"


def test_the_readmes_python_example_runs_with_an_old_duckdb(readers_environment, reader_directory):
    blocks = client_examples("python")
    assert blocks, "docs/clients.md's Python client example was not found"
    for block in blocks:
        result = run_reader(
            [str(readers_environment / "python"), "-c", block],
            readers_environment,
            reader_directory,
        )
        assert result.returncode == 0, f"{block}\n{result.stderr}"
        assert "segment_name" in result.stdout and "build_id" in result.stdout
