"""The HTML report, built from the published database of the shared build, and opened in
headless Chromium to check that every chart really renders."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from customer_segmentation.publication.publish import PublicationLayout
from customer_segmentation.report.__main__ import main
from customer_segmentation.report.figures import CHART_IDS, RFM_CHART_IDS, chart_ids
from customer_segmentation.report.page import write_report
from customer_segmentation.report.queries import read_report_data
from helpers.environments import start_chromium


@pytest.fixture(scope="module")
def published_database(default_build) -> Path:
    return PublicationLayout(default_build.published).database


@pytest.fixture(scope="module")
def report(published_database, tmp_path_factory) -> Path:
    output = tmp_path_factory.mktemp("report") / "report.html"
    assert main(["--database", str(published_database), "--output", str(output)]) == 0
    return output


def test_scatter_sample_is_bounded_deterministic_and_says_so(published_database):
    sampled = read_report_data(published_database, max_points=50)
    assert len(sampled.points) == 50 and sampled.customer_count == 200
    again = read_report_data(published_database, max_points=50)
    assert sampled.points.customer_id.tolist() == again.points.customer_id.tolist()
    from customer_segmentation.report.figures import sample_note, segments_2d_figure

    assert sample_note(sampled) == (
        "a deterministic sample of 50 of 200 customers (lowest hash of the customer id)"
    )
    assert "sample of 50 of 200" in segments_2d_figure(sampled).layout.title.text
    everyone = read_report_data(published_database)
    assert len(everyone.points) == 200 and sample_note(everyone) == "all 200 customers"


def test_report_is_self_contained(report):
    page = report.read_text(encoding="utf-8")
    assert len(page) > 3_000_000, "plotly.js should be embedded"
    # No tag loads anything from elsewhere (plotly.js's own code mentions URLs).
    assert not re.search(r"<(script|link|img|iframe)\b[^>]*\b(src|href)\s*=", page)
    assert page.count('class="persona-card"') == 5
    assert "No row was quarantined." in page
    # The model's quality gates, its version and the build's movements.
    assert page.count("<td>passed</td>") == 3
    assert "<td>1 (in use)</td>" in page and "<td>joined</td>" in page


def test_missing_database_is_a_clear_error(tmp_path, capsys):
    assert main(["--database", str(tmp_path / "nowhere.duckdb")]) == 1
    assert "run `dbt build` first" in capsys.readouterr().err


def test_report_reads_while_a_writer_holds_the_build_database(default_build, tmp_path):
    """It only opens the published file, so the build's lock does not matter."""
    import duckdb

    copy = tmp_path / "published"
    shutil.copytree(default_build.published, copy, symlinks=True)
    with duckdb.connect(str(tmp_path / "another_build.duckdb")):
        written = write_report(copy / "segmentation.duckdb", tmp_path / "r.html", 100)
    assert written.stat().st_size > 0


CHART_STATE = """
return arguments[0].map(function (id) {
    var div = document.getElementById(id);
    if (!div) { return {id: id, found: false}; }
    var scene = div._fullLayout && div._fullLayout.scene && div._fullLayout.scene._scene;
    return {
        id: id,
        found: true,
        plotted: div.classList.contains('js-plotly-plot') && !!div._fullLayout,
        traces: (div.data || []).length,
        svgs: div.querySelectorAll('svg.main-svg').length,
        marks: div.querySelectorAll('.point, .bars path, .heatmaplayer image').length,
        canvases: Array.prototype.filter.call(div.querySelectorAll('canvas'),
            function (c) { return c.width > 0 && c.height > 0; }).length,
        webgl_scene: !!(scene && scene.glplot),
        text: div.innerText
    };
});
"""


def test_report_renders_every_chart_in_chromium(report, published_database, tmp_path):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    driver = start_chromium()
    try:
        driver.get(report.as_uri())
        shown = chart_ids(read_report_data(published_database))
        WebDriverWait(driver, 30).until(
            lambda d: all(state.get("plotted") for state in d.execute_script(CHART_STATE, shown))
        )
        charts = {s["id"]: s for s in driver.execute_script(CHART_STATE, shown)}
        plotted = driver.find_elements(By.CSS_SELECTOR, ".js-plotly-plot")
        cards = [c.text for c in driver.find_elements(By.CSS_SELECTOR, "article.persona-card")]
        height = driver.execute_script("return document.documentElement.scrollHeight")
        driver.set_window_size(1400, min(height + 100, 16_000))
        screenshot = tmp_path / "report.png"
        assert driver.save_screenshot(str(screenshot))
        logs = driver.get_log("browser")
    finally:
        driver.quit()

    # No transaction log: no RFM charts.
    assert shown == [chart for chart in CHART_IDS if chart not in RFM_CHART_IDS]
    assert len(plotted) == len(shown)
    for chart_id, state in charts.items():
        assert state["svgs"] > 0 and state["traces"] > 0, state
        assert "WebGL is not supported" not in state["text"], chart_id
    assert charts["chart-distributions"]["marks"] > 0
    assert charts["chart-k-selection"]["marks"] >= 9  # one point per k from 2 to 10
    assert "Gap statistic by k" in charts["chart-k-selection"]["text"]
    assert charts["chart-segments-2d"]["canvases"] > 0  # scattergl draws on a canvas
    assert charts["chart-segments-3d"]["webgl_scene"] and charts["chart-segments-3d"]["canvases"]
    assert charts["chart-segment-differences"]["marks"] > 0
    assert len(cards) == 5
    assert all("Campaign strategy" in card for card in cards)
    errors = [entry for entry in logs if entry["level"] == "SEVERE"]
    assert errors == [], errors
    assert screenshot.stat().st_size > 50_000


def test_report_on_a_generic_table_projects_its_model_space_and_renders(tmp_path):
    """A marketing table (a categorical feature, missing incomes, text profile columns):
    more than three features, so the scatters show the model space's principal
    components and say so; every chart renders, the categorical columns as bars."""
    from helpers.dbt_runs import run_dbt
    from helpers.exports import marketing

    table = marketing(400)
    path = tmp_path / "marketing.tsv"
    table.drop(columns="planted_group").to_csv(path, sep="\t", index=False)
    run = run_dbt(
        ["build"],
        tmp_path / "marketing.duckdb",
        dbt_vars={
            "customers_file": str(path),
            "segmentation_features": [
                {"column": "Income", "missing": "median"},
                {"column": "MntWines", "transform": "log"},
                "Recency",
                {"column": "Marital_Status", "kind": "categorical"},
            ],
            "profile_columns": ["Education"],
        },
    )
    assert run.success, run.explain()
    database = PublicationLayout(run.published).database
    data = read_report_data(database)
    assert data.scatter_note.startswith("a projection of the")
    assert [axis.title.split(" (")[0] for axis in data.scatter] == [
        "component 1",
        "component 2",
        "component 3",
    ]
    output = write_report(database, tmp_path / "report.html")
    page = output.read_text(encoding="utf-8")
    assert page.count('class="persona-card"') == len(data.profiles)
    assert "education" in page and "marital status" in page

    charts, logs = rendered_charts(output, chart_ids(data))
    for state in charts.values():
        assert state["svgs"] > 0 and state["traces"] > 0, state
    assert "component 1" in charts["chart-segments-2d"]["text"]
    assert [entry for entry in logs if entry["level"] == "SEVERE"] == []


def rendered_charts(output, shown: list[str]) -> tuple[dict, list]:
    """Open the report in headless Chromium, wait until every chart in `shown` is
    plotted; each chart's state by id, and the browser's console log."""
    from selenium.webdriver.support.ui import WebDriverWait

    driver = start_chromium()
    try:
        driver.get(output.as_uri())
        WebDriverWait(driver, 30).until(
            lambda d: all(state.get("plotted") for state in d.execute_script(CHART_STATE, shown))
        )
        charts = {s["id"]: s for s in driver.execute_script(CHART_STATE, shown)}
        return charts, driver.get_log("browser")
    finally:
        driver.quit()


def test_report_of_a_transaction_log_shows_rfm_and_renders(tmp_path):
    """Segments from an order log: the RFM grid and the RFM segments' customer and
    revenue shares render beside the other charts."""
    from helpers.dbt_runs import run_dbt
    from helpers.exports import transaction_log

    path = tmp_path / "orders.csv"
    transaction_log(customer_count=150).to_csv(path, index=False)
    run = run_dbt(["build"], tmp_path / "orders.duckdb", dbt_vars={"transactions_file": str(path)})
    assert run.success, run.explain()
    database = PublicationLayout(run.published).database
    data = read_report_data(database)
    assert data.rfm_grid.customer_count.sum() == len(data.points)
    output = write_report(database, tmp_path / "report.html")
    page = output.read_text(encoding="utf-8")
    assert 'id="rfm"' in page and "transaction lines" in page

    charts, logs = rendered_charts(output, list(CHART_IDS))
    for state in charts.values():
        assert state["svgs"] > 0 and state["traces"] > 0, state
    assert charts["chart-rfm-grid"]["marks"] > 0 and charts["chart-rfm-segments"]["marks"] > 0
    assert [entry for entry in logs if entry["level"] == "SEVERE"] == []
