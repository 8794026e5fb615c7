"""The segmentation report: one self-contained HTML file made from the published database.

    python -m customer_segmentation.report [--database PATH] [--output PATH] [--max-points N]

It opens the published DuckDB file read-only (so it runs while dbt builds, and never
blocks a build), reads the marts, and writes one HTML file with plotly.js embedded:
it opens offline in any browser. What the exploration notebooks showed as plots:
distributions, the choice of k, the segments in 2D and 3D, a card per persona, and
what happened to the input rows.
"""

from __future__ import annotations

import argparse
import html
import os
import sys
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd

from customer_segmentation.publish import (
    DATABASE_FILE_NAME,
    DEFAULT_DIR_NAME,
    ENV_VAR,
)

REPORT_FILE_NAME = "segmentation_report.html"
DEFAULT_MAX_POINTS = 5_000
# Colour-blind-safe qualitative palette (Okabe-Ito, then Tableau's); segment ids index it.
PALETTE = (
    "#0072B2",
    "#E69F00",
    "#009E73",
    "#CC79A7",
    "#56B4E9",
    "#D55E00",
    "#F0E442",
    "#000000",
    "#4E79A7",
    "#F28E2B",
    "#59A14F",
    "#B07AA1",
)
# The charts in the report, in order; the browser test expects each one to render.
CHART_IDS = (
    "chart-distributions",
    "chart-k-selection",
    "chart-segments-2d",
    "chart-segments-3d",
    "chart-segment-differences",
)
HISTOGRAM_BINS = {"age": 5, "annual_income": 5, "spending_score": 5}
FEATURE_LABELS = {
    "age": "Age (years)",
    "annual_income": "Annual income (k$)",
    "spending_score": "Spending score (1-100)",
}


@dataclass
class ReportData:
    """Everything the report shows, read from the published marts."""

    publication: pd.DataFrame
    histograms: dict[str, pd.DataFrame]
    genders: pd.DataFrame
    k_selection: pd.DataFrame
    centroids: pd.DataFrame
    profiles: pd.DataFrame
    campaigns: pd.DataFrame
    points: pd.DataFrame
    customer_count: int
    quality: pd.DataFrame
    quarantine_reasons: pd.DataFrame
    segment_quality: pd.DataFrame
    model_versions: pd.DataFrame
    migrations: pd.DataFrame


def default_database() -> Path:
    directory = os.environ.get(ENV_VAR, "").strip() or DEFAULT_DIR_NAME
    return Path(directory) / DATABASE_FILE_NAME


def segment_colour(segment_id: int) -> str:
    return PALETTE[(int(segment_id) - 1) % len(PALETTE)]


def read_report_data(database: Path, max_points: int = DEFAULT_MAX_POINTS) -> ReportData:
    """Read the marts through a read-only connection; aggregates are computed in SQL so
    the cost stays flat however many customers there are."""
    if max_points < 1:
        raise ValueError(f"max_points must be at least 1, got {max_points}")
    if not Path(database).exists():
        raise FileNotFoundError(
            f"{database} does not exist: run `dbt build` first, or pass --database"
        )
    with duckdb.connect(str(database), read_only=True) as connection:

        def query(sql: str, parameters=None) -> pd.DataFrame:
            return connection.execute(sql, parameters or []).df()

        histograms = {
            feature: query(
                f"select floor({feature} / {width}) * {width} as bin_start, "
                f"count(*) as customer_count from customer_segments "
                f"group by all order by bin_start"
            ).assign(bin_width=width)
            for feature, width in HISTOGRAM_BINS.items()
        }
        customer_count = int(query("select count(*) as n from customer_segments").n[0])
        return ReportData(
            publication=query("select * from publication order by mart_name"),
            histograms=histograms,
            genders=query(
                "select band_code as gender, customer_count, customer_share "
                "from customer_distributions where band_dimension = 'gender' "
                "order by band_order"
            ),
            k_selection=query("select * from segment_k_selection order by k"),
            centroids=query("select * from segment_centroids order by segment_id"),
            profiles=query("select * from segment_profiles order by segment_id"),
            campaigns=query(
                "select segment_id, campaign_name, channel, offer, priority "
                "from segment_campaigns order by segment_id, priority, campaign_name"
            ),
            # A bounded sample that is the same on every run: the customers whose ids
            # hash lowest.
            points=query(
                "select customer_id, segment_id, segment_name, age, annual_income, "
                "spending_score from customer_segments "
                "order by hash(customer_id), customer_id limit ?",
                [max_points],
            ),
            customer_count=customer_count,
            quality=query("select * from data_quality_summary order by outcome_order"),
            quarantine_reasons=query(
                "select rejection_reason, count(*) as row_count from customer_quarantine "
                "group by all order by row_count desc, rejection_reason limit 20"
            ),
            segment_quality=query("select * from segment_quality order by check_name"),
            model_versions=query(
                "select * from segment_model_versions order by model_version desc limit 10"
            ),
            # The latest build's movements, largest first.
            migrations=query(
                "select migration_type, from_segment_name, to_segment_name, customer_count "
                "from segment_migrations "
                "where built_at = (select max(built_at) from segment_migrations) "
                "order by customer_count desc, migration_type limit 30"
            ),
        )


# Charts ----------------------------------------------------------------------------


def distribution_figure(data: ReportData):
    import plotly.graph_objects as go
    from plotly.subplots import make_subplots

    figure = make_subplots(
        rows=2,
        cols=2,
        subplot_titles=[*(FEATURE_LABELS[f] for f in HISTOGRAM_BINS), "Gender"],
        vertical_spacing=0.16,
    )
    for index, (feature, bins) in enumerate(data.histograms.items()):
        row, col = divmod(index, 2)
        figure.add_trace(
            go.Bar(
                x=bins.bin_start + bins.bin_width / 2,
                y=bins.customer_count,
                width=bins.bin_width,
                name=FEATURE_LABELS[feature],
                marker_color="#4E79A7",
                customdata=[
                    f"{start:g} to under {start + width:g}"
                    for start, width in zip(bins.bin_start, bins.bin_width, strict=True)
                ],
                hovertemplate="%{customdata}: %{y} customers<extra></extra>",
            ),
            row=row + 1,
            col=col + 1,
        )
    figure.add_trace(
        go.Bar(
            x=data.genders.gender,
            y=data.genders.customer_count,
            name="Gender",
            marker_color=["#CC79A7", "#0072B2", "#999999"][: len(data.genders)],
            text=[f"{share:.0%}" for share in data.genders.customer_share],
            textposition="auto",
        ),
        row=2,
        col=2,
    )
    figure.update_yaxes(title_text="customers")
    figure.update_layout(title="Who the customers are", showlegend=False, height=620, bargap=0.05)
    return figure


def k_selection_figure(data: ReportData):
    import plotly.graph_objects as go
    from plotly.subplots import make_subplots

    selection = data.k_selection
    chosen = selection[selection.is_selected]
    elbow = selection[selection.is_elbow_k]
    figure = make_subplots(
        rows=1,
        cols=2,
        subplot_titles=["Elbow: inertia by k", "Silhouette by k (higher is better)"],
    )
    for col, metric in ((1, "inertia"), (2, "silhouette")):
        figure.add_trace(
            go.Scatter(
                x=selection.k,
                y=selection[metric],
                mode="lines+markers",
                name=metric,
                line_color="#4E79A7",
            ),
            row=1,
            col=col,
        )
        figure.add_trace(
            go.Scatter(
                x=chosen.k,
                y=chosen[metric],
                mode="markers+text",
                name=f"chosen k = {int(chosen.k.iloc[0])}" if len(chosen) else "chosen k",
                marker={"size": 16, "color": "#D55E00", "symbol": "star"},
                text=[f"chosen k = {int(k)}" for k in chosen.k],
                textposition="top right",
                showlegend=col == 1,
            ),
            row=1,
            col=col,
        )
        if len(chosen):
            figure.add_vline(
                x=int(chosen.k.iloc[0]), line_dash="dot", line_color="#D55E00", row=1, col=col
            )
    if len(elbow):
        figure.add_trace(
            go.Scatter(
                x=elbow.k,
                y=elbow.inertia,
                mode="markers",
                name="elbow",
                marker={"size": 11, "color": "rgba(0,0,0,0)", "line": {"width": 2}},
            ),
            row=1,
            col=1,
        )
    features = selection.clustering_features.iloc[0] if len(selection) else "-"
    figure.update_xaxes(title_text="k (number of segments)", dtick=1)
    figure.update_layout(title=f"Choosing k (clustering on {features})", height=420)
    return figure


def sample_note(data: ReportData) -> str:
    shown = len(data.points)
    if shown >= data.customer_count:
        return f"all {data.customer_count:,} customers"
    return (
        f"a deterministic sample of {shown:,} of {data.customer_count:,} customers "
        "(lowest hash of the customer id)"
    )


def segments_2d_figure(data: ReportData):
    import plotly.graph_objects as go

    figure = go.Figure()
    for segment_id, points in data.points.groupby("segment_id", sort=True):
        figure.add_trace(
            go.Scattergl(
                x=points.annual_income,
                y=points.spending_score,
                mode="markers",
                name=f"{segment_id}: {points.segment_name.iloc[0]}",
                marker={"color": segment_colour(segment_id), "size": 6, "opacity": 0.7},
                customdata=points.customer_id,
                hovertemplate="customer %{customdata}<br>income %{x} k$<br>"
                "spending %{y}<extra>%{fullData.name}</extra>",
            )
        )
    centroids = data.centroids
    figure.add_trace(
        go.Scatter(
            x=centroids.centroid_annual_income,
            y=centroids.centroid_spending_score,
            mode="markers+text",
            name="centroids",
            text=centroids.segment_name,
            textposition="top center",
            marker={
                "symbol": "x",
                "size": 16,
                "color": [segment_colour(s) for s in centroids.segment_id],
                "line": {"width": 2, "color": "#000000"},
            },
        )
    )
    figure.update_layout(
        title=f"Segments by income and spending: {sample_note(data)}, centroids marked x",
        xaxis_title=FEATURE_LABELS["annual_income"],
        yaxis_title=FEATURE_LABELS["spending_score"],
        height=560,
    )
    return figure


def segments_3d_figure(data: ReportData):
    import plotly.graph_objects as go

    figure = go.Figure()
    for segment_id, points in data.points.groupby("segment_id", sort=True):
        figure.add_trace(
            go.Scatter3d(
                x=points.age,
                y=points.annual_income,
                z=points.spending_score,
                mode="markers",
                name=f"{segment_id}: {points.segment_name.iloc[0]}",
                marker={"color": segment_colour(segment_id), "size": 3, "opacity": 0.8},
            )
        )
    figure.update_layout(
        title=f"Age, income and spending: {sample_note(data)}",
        scene={
            "xaxis_title": "age",
            "yaxis_title": "income (k$)",
            "zaxis_title": "spending",
        },
        height=620,
    )
    return figure


def segment_differences_figure(data: ReportData):
    import plotly.graph_objects as go

    profiles = data.profiles
    columns = ["age_delta_std", "annual_income_delta_std", "spending_score_delta_std"]
    values = profiles[columns].to_numpy()
    figure = go.Figure(
        go.Heatmap(
            z=values,
            x=["age", "income", "spending"],
            y=[f"{row.segment_id}: {row.segment_name}" for row in profiles.itertuples()],
            zmid=0,
            colorscale="RdBu_r",
            text=[[f"{value:+.1f} sd" for value in row] for row in values],
            texttemplate="%{text}",
            colorbar={"title": "sd from all"},
        )
    )
    figure.update_layout(
        title="What sets each segment apart (segment mean minus population mean, in sd)",
        height=140 + 60 * len(profiles),
        yaxis={"autorange": "reversed", "automargin": True},
    )
    return figure


# Page ------------------------------------------------------------------------------


def persona_cards(data: ReportData) -> str:
    cards = []
    for profile in data.profiles.itertuples():
        campaigns = data.campaigns[data.campaigns.segment_id == profile.segment_id]
        campaign_items = (
            "".join(
                f"<li><strong>{_e(c.campaign_name)}</strong> via {_e(c.channel)} "
                f"(priority {int(c.priority)}): {_e(c.offer)}</li>"
                for c in campaigns.itertuples()
            )
            or "<li>No campaign is defined for this persona.</li>"
        )
        cards.append(
            f"""
            <article class="persona-card" style="border-top-color:{
                segment_colour(profile.segment_id)
            }">
              <h3>{_e(profile.segment_name)}</h3>
              <p class="size">Segment {int(profile.segment_id)}:
                 <strong>{int(profile.customer_count):,}</strong> customers,
                 {profile.customer_share:.1%} of all, {int(profile.outlier_count):,}
                 outliers</p>
              <p>{_e(profile.segment_description)}</p>
              <dl>
                <dt>Income</dt><dd>{_e(profile.income_band)}: mean
                  {profile.mean_annual_income:.1f} k$, median
                  {profile.median_annual_income:.1f}</dd>
                <dt>Spending</dt><dd>{_e(profile.spending_band)}: mean
                  {profile.mean_spending_score:.1f}, median
                  {profile.median_spending_score:.1f}</dd>
                <dt>Age</dt><dd>mean {profile.mean_age:.1f}; {_e(profile.age_band_mix)}</dd>
                <dt>Gender</dt><dd>{profile.female_share:.0%} female,
                  {profile.male_share:.0%} male, {profile.other_gender_share:.0%} other</dd>
                <dt>Distinguished by</dt>
                <dd>{_e(profile.distinguishing_features or "nothing beyond 0.5 sd")}</dd>
              </dl>
              <h4>Campaign strategy</h4>
              <ul>{campaign_items}</ul>
            </article>"""
        )
    return "\n".join(cards)


def quality_section(data: ReportData) -> str:
    input_rows = int(data.quality.row_count.sum())
    rows = "".join(
        f"<tr><td>{_e(q.outcome)}</td><td>{int(q.row_count):,}</td><td>{q.row_share:.1%}</td></tr>"
        for q in data.quality.itertuples()
    )
    if len(data.quarantine_reasons):
        reasons = "".join(
            f"<tr><td>{_e(r.rejection_reason)}</td><td>{int(r.row_count):,}</td></tr>"
            for r in data.quarantine_reasons.itertuples()
        )
        why = (
            "<h3>Why rows were quarantined (most frequent reasons)</h3>"
            "<table class='quarantine'><thead><tr><th>reason</th><th>rows</th></tr>"
            f"</thead><tbody>{reasons}</tbody></table>"
        )
    else:
        why = "<p>No row was quarantined.</p>"
    return (
        f"<p>{input_rows:,} input rows loaded.</p>"
        "<table class='quality'><thead><tr><th>outcome</th><th>rows</th><th>share</th>"
        f"</tr></thead><tbody>{rows}</tbody></table>{why}"
    )


def lifecycle_section(data: ReportData) -> str:
    """Quality gates of the model in use, its recent versions, and the latest build's
    customer movements."""
    checks = "".join(
        f"<tr><td>{_e(q.check_name)}</td><td>{_number(q.measured_value)}</td>"
        f"<td>{_number(q.threshold)}</td><td>{_verdict(q.passed)}</td></tr>"
        for q in data.segment_quality.itertuples()
    )
    versions = "".join(
        f"<tr><td>{int(v.model_version)}{' (in use)' if v.is_current else ''}</td>"
        f"<td>{_e(str(v.fitted_at))}</td><td>{_e(v.algorithm)}</td><td>{int(v.k)}</td>"
        f"<td>{int(v.input_customer_count):,}</td><td>{int(v.kept_segment_count)} / "
        f"{int(v.new_segment_count)} / {int(v.retired_segment_count)}</td></tr>"
        for v in data.model_versions.itertuples()
    )
    moves = "".join(
        f"<tr><td>{_e(m.migration_type)}</td><td>{_e(m.from_segment_name or '-')}</td>"
        f"<td>{_e(m.to_segment_name or '-')}</td><td>{int(m.customer_count):,}</td></tr>"
        for m in data.migrations.itertuples()
    )
    return (
        "<h3>Quality gates</h3><table class='segment-quality'><thead><tr><th>check</th>"
        f"<th>measured</th><th>floor</th><th>verdict</th></tr></thead><tbody>{checks}</tbody>"
        "</table><h3>Model versions (latest first)</h3><table class='model-versions'>"
        "<thead><tr><th>version</th><th>fitted at (UTC)</th><th>algorithm</th><th>k</th>"
        "<th>customers</th><th>segments kept / new / retired</th></tr></thead>"
        f"<tbody>{versions}</tbody></table><h3>Since the previous build</h3>"
        "<table class='migrations'><thead><tr><th>movement</th><th>from</th><th>to</th>"
        f"<th>customers</th></tr></thead><tbody>{moves}</tbody></table>"
    )


def _number(value) -> str:
    return "n/a" if value is None or pd.isna(value) else f"{value:.3f}"


def _verdict(passed) -> str:
    if passed is None or pd.isna(passed):
        return "not measured"
    return "passed" if passed else "BELOW FLOOR"


STYLE = """
body { font-family: system-ui, sans-serif; margin: 0 auto; max-width: 1200px;
       padding: 1rem 2rem; color: #222; }
h1 { margin-bottom: 0.2rem; } .meta { color: #666; margin-top: 0; }
section { margin: 2rem 0; }
.chart { min-height: 400px; }
.cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(340px, 1fr));
         gap: 1rem; }
.persona-card { border: 1px solid #ddd; border-top: 6px solid #999; border-radius: 6px;
                padding: 0.5rem 1rem; }
.persona-card h3 { margin: 0.4rem 0; } .size { color: #444; }
dl { display: grid; grid-template-columns: max-content 1fr; gap: 0.2rem 0.8rem; }
dt { font-weight: 600; } dd { margin: 0; }
table { border-collapse: collapse; margin: 0.5rem 0; }
td, th { border: 1px solid #ddd; padding: 0.3rem 0.7rem; text-align: left; }
"""


def render_html(data: ReportData) -> str:
    import plotly.io as pio
    from plotly.offline import get_plotlyjs

    figures = dict(
        zip(
            CHART_IDS,
            (
                distribution_figure(data),
                k_selection_figure(data),
                segments_2d_figure(data),
                segments_3d_figure(data),
                segment_differences_figure(data),
            ),
            strict=True,
        )
    )
    config = {"displaylogo": False, "responsive": True}
    charts = {
        chart_id: pio.to_html(
            figure,
            full_html=False,
            include_plotlyjs=False,
            div_id=chart_id,
            config=config,
            default_width="100%",
        )
        for chart_id, figure in figures.items()
    }
    publication = data.publication
    build = publication.build_id.iloc[0] if len(publication) else "unknown"
    published_at = publication.published_at.iloc[0] if len(publication) else "unknown"
    k = len(data.profiles)
    selection = data.k_selection
    method = selection.selection_method.iloc[0] if len(selection) else ""
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Customer segmentation report</title>
<style>{STYLE}</style>
<script type="text/javascript">{get_plotlyjs()}</script>
</head>
<body>
<h1>Customer segmentation</h1>
<p class="meta">{data.customer_count:,} customers in {k} segments. Published
{_e(str(published_at))} UTC by build {_e(str(build))}.</p>
<section id="distributions"><h2>The customers</h2>{charts["chart-distributions"]}</section>
<section id="choosing-k"><h2>Choosing the number of segments</h2>
<p>How k was chosen: {_e(method)}</p>{charts["chart-k-selection"]}</section>
<section id="segments"><h2>The segments</h2>{charts["chart-segments-2d"]}
{charts["chart-segments-3d"]}{charts["chart-segment-differences"]}</section>
<section id="personas"><h2>Personas and campaigns</h2>
<div class="cards">{persona_cards(data)}</div></section>
<section id="data-quality"><h2>Data quality</h2>{quality_section(data)}</section>
<section id="lifecycle"><h2>Model quality and history</h2>{lifecycle_section(data)}</section>
</body>
</html>
"""


def write_report(database: Path, output: Path, max_points: int = DEFAULT_MAX_POINTS) -> Path:
    """Write the report; the file appears whole (written aside, then renamed)."""
    page = render_html(read_report_data(database, max_points))
    output = Path(output)
    output.parent.mkdir(parents=True, exist_ok=True)
    staged = output.with_name(f".{output.name}.{os.getpid()}.tmp")
    staged.write_text(page, encoding="utf-8")
    os.replace(staged, output)
    return output


def _e(text) -> str:
    return html.escape(str(text))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m customer_segmentation.report", description=__doc__.splitlines()[0]
    )
    parser.add_argument(
        "--database",
        type=Path,
        default=None,
        help=f"published DuckDB file (default: ${ENV_VAR} or {DEFAULT_DIR_NAME}/, "
        f"then {DATABASE_FILE_NAME})",
    )
    parser.add_argument(
        "--output",
        type=Path,
        default=None,
        help=f"HTML file to write (default: {REPORT_FILE_NAME} beside the database)",
    )
    parser.add_argument(
        "--max-points",
        type=int,
        default=DEFAULT_MAX_POINTS,
        help="customers plotted in the scatter charts at most (default: %(default)s)",
    )
    arguments = parser.parse_args(argv)
    database = arguments.database or default_database()
    output = arguments.output or Path(database).with_name(REPORT_FILE_NAME)
    try:
        written = write_report(database, output, arguments.max_points)
    except (FileNotFoundError, ValueError, duckdb.Error) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    print(written)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
