"""The report's page: the figures and sections (personas, data quality, lifecycle, RFM)
as one self-contained HTML file."""

from __future__ import annotations

import html
import os
from pathlib import Path

import pandas as pd

from customer_segmentation.report.figures import (
    CHART_IDS,
    FIGURES,
    chart_ids,
    segment_colour,
)
from customer_segmentation.report.queries import DEFAULT_MAX_POINTS, ReportData, read_report_data

REPORT_FILE_NAME = "segmentation_report.html"


def _figure(value, unit) -> str:
    text = (
        f"{value:,.0f}"
        if abs(value) >= 100
        else f"{value:.1f}"
        if abs(value) >= 1
        else f"{value:.3g}"
    )
    return f"{text} {unit}" if isinstance(unit, str) and unit else text


def persona_cards(data: ReportData) -> str:
    """The HTML cards of the segments: persona, size, description and campaigns."""
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
        rows = data.feature_profiles[data.feature_profiles.segment_id == profile.segment_id]
        facts = []
        for column in data.columns.itertuples():
            mine = rows[rows.feature_name == column.feature_name]
            if mine.empty:
                continue
            if column.feature_kind == "numeric":
                row = mine.iloc[0]
                if pd.isna(row.mean_value):
                    continue
                facts.append(
                    f"<dt>{_e(column.feature_name.replace('_', ' '))}</dt><dd>mean "
                    f"{_e(_figure(row.mean_value, column.unit))}, median "
                    f"{_e(_figure(row.median_value, column.unit))} "
                    f"({row.std_difference:+.1f} sd)</dd>"
                )
            else:
                top = mine.sort_values("category_share", ascending=False).head(3)
                shares = ", ".join(
                    f"{category} {share:.0%}"
                    for category, share in zip(top.category, top.category_share, strict=True)
                )
                facts.append(
                    f"<dt>{_e(column.feature_name.replace('_', ' '))}</dt><dd>{_e(shares)}</dd>"
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
              <dl>{"".join(facts)}
                <dt>Distinguished by</dt>
                <dd>{_e(profile.distinguishing_features or "nothing beyond 0.5 sd")}</dd>
              </dl>
              <h4>Campaign strategy</h4>
              <ul>{campaign_items}</ul>
            </article>"""
        )
    return "\n".join(cards)


def quality_section(data: ReportData) -> str:
    """The HTML table of what happened to the input rows, and the quarantine's reasons."""
    quality = data.quality[data.quality.input_table == "customers"]
    input_rows = int(quality.row_count.sum())
    lines = data.quality[data.quality.input_table == "transactions"]
    shown = pd.concat([quality, lines]) if lines.row_count.sum() > 0 else quality
    outcomes = _table(
        "quality",
        ["outcome", "rows", "share"],
        [
            (_e(q.outcome), f"{int(q.row_count):,}", f"{q.row_share:.1%}")
            for q in shown.itertuples()
        ],
    )
    if len(data.quarantine_reasons):
        reasons = _table(
            "quarantine",
            ["reason", "rows"],
            [
                (_e(r.rejection_reason), f"{int(r.row_count):,}")
                for r in data.quarantine_reasons.itertuples()
            ],
        )
        why = f"<h3>Why rows were quarantined (most frequent reasons)</h3>{reasons}"
    else:
        why = "<p>No row was quarantined.</p>"
    loaded = f"{input_rows:,} input rows loaded"
    if lines.row_count.sum() > 0:
        loaded += f", from {int(lines.row_count.sum()):,} transaction lines"
    return f"<p>{loaded}.</p>{outcomes}{why}"


def lifecycle_section(data: ReportData) -> str:
    """Quality gates of the model in use, its recent versions, and the latest build's
    customer movements."""
    checks = _table(
        "segment-quality",
        ["check", "measured", "floor", "verdict"],
        [
            (_e(q.check_name), _number(q.measured_value), _number(q.threshold), _verdict(q.passed))
            for q in data.segment_quality.itertuples()
        ],
    )
    versions = _table(
        "model-versions",
        [
            "version",
            "fitted at (UTC)",
            "algorithm",
            "k",
            "features",
            "customers",
            "segments kept / new / retired",
        ],
        [
            (
                f"{int(v.model_version)}{' (in use)' if v.is_current else ''}",
                _e(str(v.fitted_at)),
                _e(v.algorithm),
                str(int(v.k)),
                _e(v.clustering_features),
                f"{int(v.input_customer_count):,}",
                f"{int(v.kept_segment_count)} / {int(v.new_segment_count)} / "
                f"{int(v.retired_segment_count)}",
            )
            for v in data.model_versions.itertuples()
        ],
    )
    moves = _table(
        "migrations",
        ["movement", "from", "to", "customers"],
        [
            (
                _e(m.migration_type),
                _e(m.from_segment_name or "-"),
                _e(m.to_segment_name or "-"),
                f"{int(m.customer_count):,}",
            )
            for m in data.migrations.itertuples()
        ],
    )
    return (
        f"<h3>Quality gates</h3>{checks}<h3>Model versions (latest first)</h3>{versions}"
        f"<h3>Since the previous build</h3>{moves}"
    )


def rfm_section(charts: dict[str, str]) -> str:
    """The RFM charts, when the segmentation started from a transaction log."""
    if not charts["chart-rfm-grid"]:
        return ""
    return (
        '<section id="rfm"><h2>Recency, frequency and monetary value</h2>'
        f"{charts['chart-rfm-grid']}{charts['chart-rfm-segments']}</section>"
    )


def _table(css_class: str, headers: list[str], rows: list[tuple[str, ...]]) -> str:
    """An HTML table: a header row, then one row per tuple of cells (already escaped)."""
    head = "".join(f"<th>{header}</th>" for header in headers)
    body = "".join("<tr>" + "".join(f"<td>{cell}</td>" for cell in row) + "</tr>" for row in rows)
    return f"<table class='{css_class}'><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


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
    """The whole report page: the figures (Plotly, inlined) and the sections, as HTML."""
    import plotly.io as pio
    from plotly.offline import get_plotlyjs

    config = {"displaylogo": False, "responsive": True}
    charts = dict.fromkeys(CHART_IDS, "")
    for chart_id in chart_ids(data):
        charts[chart_id] = pio.to_html(
            FIGURES[chart_id](data),
            full_html=False,
            include_plotlyjs=False,
            div_id=chart_id,
            config=config,
            default_width="100%",
        )
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
{rfm_section(charts)}
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
