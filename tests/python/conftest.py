"""Shared helpers: run real dbt invocations (dbt's programmatic runner, one at a time)
against temporary DuckDB files, and read the results back."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pandas as pd
import pytest
import yaml

PROJECT_DIR = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
# CI sets this so that a broken browser install fails the run instead of skipping.
REQUIRE_BROWSER = os.environ.get("SEGMENTATION_REQUIRE_BROWSER") == "1"
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


@pytest.fixture(scope="session")
def default_build(tmp_path_factory) -> DbtRun:
    """One `dbt build` of the bundled seed, shared by the tests that only read it."""
    database = tmp_path_factory.mktemp("default_build") / "segmentation.duckdb"
    run = run_dbt(["build"], database)
    assert run.success, run.explain()
    return run


def public_mall_file(name: str) -> Path:
    """The public Mall_Customers.csv copy `name` in ../shared/data; skips where it is absent."""
    path = SHARED_DATA_DIR / name
    if not path.exists():
        pytest.skip(f"{path} is not here (only checked where ../shared/data exists)")
    return path


def start_chromium(host_rules: str = "MAP * ~NOTFOUND", window_size: str = "1400,1000"):
    """Headless Chromium through chromedriver, its console log kept. `host_rules`: by
    default every host name fails to resolve, so a page that needs the network logs
    errors."""
    if not (CHROMIUM.exists() and CHROMEDRIVER.exists()):
        message = (
            f"needs {CHROMIUM} and {CHROMEDRIVER} (apt-get install -y chromium chromium-driver)"
        )
        if REQUIRE_BROWSER:
            pytest.fail(message)
        pytest.skip(message)
    from selenium import webdriver
    from selenium.common.exceptions import WebDriverException
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for argument in (
        "--headless=new",
        "--no-sandbox",  # CI runs as root
        "--disable-dev-shm-usage",
        f"--window-size={window_size}",
        # WebGL (the 3D chart, scattergl) in software, as there is no GPU.
        "--use-angle=swiftshader",
        "--enable-unsafe-swiftshader",
        f"--host-resolver-rules={host_rules}",
    ):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    try:
        return webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    except WebDriverException as error:
        if REQUIRE_BROWSER:
            raise
        pytest.skip(f"chromium cannot run here: {error.msg}")


def cached_environment(requirements: Path, name: str, marker: str) -> Path:
    """The bin directory of a virtual environment holding `requirements`, created on
    first use under the user's cache directory (named for `name` and the file's
    digest) and reused after; `marker` is a program it must hold once installed."""
    digest = hashlib.sha256(requirements.read_bytes()).hexdigest()[:12]
    cache = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache"))
    environment = cache / "customer-segmentation" / f"{name}-{digest}"
    bin_dir = environment / "bin"
    if not (bin_dir / marker).exists():
        subprocess.run([sys.executable, "-m", "venv", "--clear", str(environment)], check=True)
        subprocess.run(
            [str(bin_dir / "pip"), "install", "--quiet", "-r", str(requirements)], check=True
        )
    return bin_dir
