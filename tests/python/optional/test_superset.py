"""The shipped Superset dashboard, imported into a real Apache Superset and read through
Superset's own API and in headless Chromium (`python -m pytest -m superset`).

Superset runs from a virtual environment of its own (requirements-superset.txt),
created on first use under the user's cache directory and reused after, with a
throwaway metadata database and its development server on a free local port."""

from __future__ import annotations

import json
import math
import os
import secrets
import socket
import subprocess
import time
from pathlib import Path

import duckdb
import pytest
import requests

from customer_segmentation.publication.publish import PublicationLayout
from customer_segmentation.publication.superset_dashboard import (
    CHARTS,
    DASHBOARD_SLUG,
    FEATURE_PLANE_SQL,
    query_context,
    write_bundle,
)
from helpers.dbt_runs import PROJECT_DIR, run_dbt
from helpers.environments import cached_environment, start_chromium

pytestmark = pytest.mark.superset

REQUIREMENTS = PROJECT_DIR / "requirements-superset.txt"
ADMIN = {"username": "admin", "password": secrets.token_hex(8)}

# What each chart must show: the same rows read straight from the published file.
EXPECTED_SQL = {
    "segment_sizes": "select segment_name, sum(customer_count) from segment_profiles group by 1",
    "segment_feature_plane": "select segment_name, first_feature_mean, second_feature_mean, "
    f"customer_count from ({FEATURE_PLANE_SQL})",
    "persona_profiles": "select segment_name, feature_name, max(std_difference) "
    "from segment_feature_profiles where std_difference is not null group by 1, 2",
    "campaign_targets": "select campaign_code, is_control_group, count(*) "
    "from marketing_targets group by 1, 2",
    "data_quality_outcomes": "select input_table, outcome, row_count, row_share "
    "from data_quality_summary",
    "model_quality_over_versions": "select model_version, max(k), max(silhouette), "
    "max(stability_ari_mean) from segment_model_versions group by 1",
    "current_quality_gates": "select model_version, check_name, measured_value, threshold, "
    "passed from segment_quality",
}


@pytest.fixture(scope="session")
def superset_bin() -> Path:
    return cached_environment(REQUIREMENTS, "superset", "superset")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Superset:
    """A Superset server of this test session and a logged-in API client."""

    def __init__(self, bin_dir: Path, home: Path):
        """A server to be run from the Superset install in `bin_dir`, its state under `home`."""
        self.bin_dir = bin_dir
        self.home = home
        config = home / "superset_config.py"
        config.write_text(
            f"SECRET_KEY = {secrets.token_hex(32)!r}\n"
            f"SQLALCHEMY_DATABASE_URI = 'sqlite:///{home / 'superset.db'}'\n"
            # The API is called with a bearer token, as scripts call it, not a form.
            "WTF_CSRF_ENABLED = False\n"
        )
        self.environment = {
            **os.environ,
            "SUPERSET_CONFIG_PATH": str(config),
            "SUPERSET_HOME": str(home),
            "FLASK_APP": "superset",
        }
        self.environment.pop("PYTHONPATH", None)
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.server = None
        self.log = None
        self.session = requests.Session()

    def cli(self, *arguments: str) -> subprocess.CompletedProcess:
        """Run the superset command line with this server's configuration; fails on an error."""
        result = subprocess.run(
            [str(self.bin_dir / "superset"), *arguments],
            env=self.environment,
            capture_output=True,
            text=True,
            timeout=600,
        )
        assert result.returncode == 0, f"superset {' '.join(arguments)}:\n{result.stderr[-3000:]}"
        return result

    def start(self) -> None:
        """Set up the metadata database and an admin, start the server, log in."""
        self.cli("db", "upgrade")
        self.cli(
            "fab", "create-admin", "--username", ADMIN["username"], "--password",
            ADMIN["password"], "--firstname", "Test", "--lastname", "Admin",
            "--email", "admin@example.com",
        )  # fmt: skip
        self.cli("init")
        self.log = open(self.home / "server.log", "w")  # noqa: SIM115 (closed by stop)
        self.server = subprocess.Popen(
            [str(self.bin_dir / "superset"), "run", "-p", str(self.port), "--with-threads"],
            env=self.environment,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                if requests.get(f"{self.url}/health", timeout=2).ok:
                    break
            except requests.ConnectionError:
                time.sleep(1)
        else:
            raise AssertionError((self.home / "server.log").read_text()[-3000:])
        token = self.session.post(
            f"{self.url}/api/v1/security/login",
            json={**ADMIN, "provider": "db", "refresh": True},
        ).json()["access_token"]
        self.session.headers["Authorization"] = f"Bearer {token}"

    def stop(self) -> None:
        """Stop the server, if started."""
        if self.server is not None:
            self.server.terminate()
            self.server.wait(timeout=30)
            self.log.close()

    def api(self, method: str, path: str, **arguments) -> dict:
        """Call the REST API; the JSON answer (the call must succeed)."""
        response = self.session.request(method, f"{self.url}/api/v1/{path}", **arguments)
        assert response.ok, f"{method} {path}: {response.status_code} {response.text[:2000]}"
        return response.json()

    def charts(self) -> dict[str, dict]:
        """The imported charts by UUID."""
        query = json.dumps({"page_size": 100, "columns": ["id", "uuid", "datasource_id"]})
        return {each["uuid"]: each for each in self.api("GET", f"chart/?q={query}")["result"]}

    def chart_rows(self, chart, datasource_id: int) -> list[tuple]:
        """The rows a chart's query gives through Superset's chart data API."""
        body = self.api("POST", "chart/data", json=query_context(chart, datasource_id))
        result = body["result"][0]
        return [tuple(row[name] for name in result["colnames"]) for row in result["data"]]


@pytest.fixture(scope="module")
def superset(superset_bin, tmp_path_factory):
    server = Superset(superset_bin, tmp_path_factory.mktemp("superset_home"))
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """A build of the seed with its own publication, which the test later replaces."""
    database = tmp_path_factory.mktemp("superset_build") / "segmentation.duckdb"
    run = run_dbt(["build"], database)
    assert run.success, run.explain()
    return run


@pytest.fixture(scope="module")
def imported(superset, built, tmp_path_factory):
    published = PublicationLayout(built.published).database
    bundle = write_bundle(published, tmp_path_factory.mktemp("bundle") / "dashboard.zip")
    superset.cli("import-dashboards", "-p", str(bundle), "-u", ADMIN["username"])
    return superset


def normalised(rows) -> list[tuple]:
    """Rows comparable across drivers: floats rounded, in a fixed order."""

    def value(cell):
        if isinstance(cell, float):
            return None if math.isnan(cell) else round(cell, 9)
        return cell

    return sorted((tuple(value(cell) for cell in row) for row in rows), key=repr)


def expected_rows(published: Path) -> dict[str, list[tuple]]:
    with duckdb.connect(str(published), read_only=True) as connection:
        return {
            key: normalised(connection.execute(sql).fetchall()) for key, sql in EXPECTED_SQL.items()
        }


def assert_charts_match(superset: Superset, published: Path) -> dict[str, list[tuple]]:
    expected = expected_rows(published)
    charts = superset.charts()
    shown = {}
    for chart in CHARTS:
        found = charts[chart.uuid]
        shown[chart.key] = normalised(superset.chart_rows(chart, found["datasource_id"]))
        assert shown[chart.key] == expected[chart.key], chart.key
        assert shown[chart.key], f"{chart.key} shows no rows"
    return shown


def test_every_chart_shows_the_published_numbers_and_follows_a_new_build(imported, built):
    published = PublicationLayout(built.published).database
    before = assert_charts_match(imported, published)

    # Another build (three segments instead of the five chosen) replaces the
    # publication while Superset runs: no restart, no re-import.
    rebuilt = run_dbt(["build"], built.database, dbt_vars={"segment_count": 3})
    assert rebuilt.success, rebuilt.explain()
    after = assert_charts_match(imported, published)
    assert len(after["segment_sizes"]) == 3 != len(before["segment_sizes"])
    assert len(after["model_quality_over_versions"]) == 2
    assert after["current_quality_gates"] != before["current_quality_gates"]


def test_the_dashboard_renders_every_chart_in_chromium(imported, tmp_path):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    # Superset is on localhost; every other host fails to resolve (the machine is
    # offline), so whatever the page fetches from outside shows in the console.
    driver = start_chromium("MAP * ~NOTFOUND, EXCLUDE 127.0.0.1", window_size="1600,2200")
    try:
        driver.get(f"{imported.url}/login/")
        WebDriverWait(driver, 60).until(lambda d: d.find_elements(By.ID, "username"))
        driver.find_element(By.ID, "username").send_keys(ADMIN["username"])
        driver.find_element(By.ID, "password").send_keys(ADMIN["password"] + "\n")
        WebDriverWait(driver, 60).until(lambda d: "/login" not in d.current_url)
        driver.get(f"{imported.url}/superset/dashboard/{DASHBOARD_SLUG}/")

        def charts_settled(d) -> bool:
            """Every chart holder there, none loading, each drawn or showing an alert."""
            return d.execute_script(
                "const holders = Array.from("
                "document.querySelectorAll('.dashboard-component-chart-holder'));"
                "return holders.length === arguments[0] && holders.every(h =>"
                " !h.querySelector('.loading') &&"
                " !!(h.querySelector('svg, canvas, table') || h.querySelector('[role=alert]')));",
                len(CHARTS),
            )

        WebDriverWait(driver, 120).until(charts_settled)
        time.sleep(2)  # animations
        screenshot = tmp_path / "superset_dashboard.png"
        driver.save_screenshot(str(screenshot))
        states = driver.execute_script(
            "return Array.from(document.querySelectorAll('.dashboard-component-chart-holder'))"
            ".map(h => ({title: h.innerText.split('\\n')[0],"
            " drawn: h.querySelectorAll('svg, canvas, table').length,"
            " errors: h.querySelectorAll('[role=alert], .alert').length,"
            " text: h.innerText}))"
        )
        console = driver.get_log("browser")
    finally:
        driver.quit()
    assert sorted(state["title"] for state in states) == sorted(c.title for c in CHARTS)
    for state in states:
        assert state["drawn"] and not state["errors"], f"{state} (see {screenshot})"
        assert "error" not in state["text"].lower(), f"{state} (see {screenshot})"
    # Superset's own telemetry pixel (an external host) cannot load offline; anything
    # else in the console at error level is a failure.
    problems = [
        entry["message"]
        for entry in console
        if entry["level"] == "SEVERE" and "scarf.sh" not in entry["message"]
    ]
    assert not problems, f"{problems} (see {screenshot})"
