"""The segmentation report: one self-contained HTML file made from the published database.

    python -m customer_segmentation.report [--database PATH] [--output PATH] [--max-points N]

It opens the published DuckDB file read-only (so it runs while dbt builds, and never
blocks a build), reads the marts, and writes one HTML file with plotly.js embedded:
it opens offline in any browser. What the exploration notebooks showed as plots, for
whatever columns the build segmented on: distributions, the choice of k, the segments
in 2D and 3D, a card per persona, and what happened to the input rows.
"""

from __future__ import annotations

import argparse
import html
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from customer_segmentation.publish import (
    DATABASE_FILE_NAME,
    DEFAULT_DIR_NAME,
    ENV_VAR,
)

REPORT_FILE_NAME = "segmentation_report.html"
DEFAULT_MAX_POINTS = 5_000
HISTOGRAM_BINS = 20
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
# The charts the report can show, in order; the 3D chart needs three numeric columns
# or model dimensions, the RFM charts a transaction log (see chart_ids).
CHART_IDS = (
    "chart-distributions",
    "chart-k-selection",
    "chart-segments-2d",
    "chart-segments-3d",
    "chart-segment-differences",
    "chart-rfm-grid",
    "chart-rfm-segments",
)
RFM_CHART_IDS = ("chart-rfm-grid", "chart-rfm-segments")
# Past this many segmentation features the scatters show a projection of the model
# space instead of the features themselves.
MAX_FEATURES_SHOWN = 3


@dataclass
class Axis:
    """One axis of a scatter: a column of the points frame, and how it reads."""

    column: str
    title: str
    centroids: pd.Series  # the centroids on this axis, by segment_id


@dataclass
class ReportData:
    """Everything the report shows, read from the published marts."""

    publication: pd.DataFrame
    columns: pd.DataFrame  # one row per feature and profile column, in order
    histograms: dict[str, pd.DataFrame]
    k_selection: pd.DataFrame
    centroids: pd.DataFrame
    scaling: pd.DataFrame
    profiles: pd.DataFrame
    feature_profiles: pd.DataFrame
    campaigns: pd.DataFrame
    points: pd.DataFrame
    customer_count: int
    quality: pd.DataFrame
    quarantine_reasons: pd.DataFrame
    segment_quality: pd.DataFrame
    model_versions: pd.DataFrame
    migrations: pd.DataFrame
    rfm_grid: pd.DataFrame
    rfm_segments: pd.DataFrame
    scatter: list[Axis] = field(default_factory=list)
    scatter_note: str = ""


def default_database() -> Path:
    """The published database the report reads by default (SEGMENTATION_PUBLISHED_DIR)."""
    directory = os.environ.get(ENV_VAR, "").strip() or DEFAULT_DIR_NAME
    return Path(directory) / DATABASE_FILE_NAME


def segment_colour(segment_id: int) -> str:
    """The segment's colour, the same in every chart."""
    return PALETTE[(int(segment_id) - 1) % len(PALETTE)]


def label(column: str, unit=None) -> str:
    """How a column reads on an axis: "annual income (k$)"."""
    text = column.replace("_", " ")
    return f"{text} ({unit})" if isinstance(unit, str) and unit else text


def _quoted(name: str) -> str:
    return '"' + str(name).replace('"', '""') + '"'


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

        columns = query(
            "select feature_name, min(feature_kind) as feature_kind, min(unit) as unit, "
            "min(feature_position) as feature_position, "
            "bool_or(is_clustering_feature) as is_clustering_feature "
            "from segment_feature_profiles group by feature_name order by feature_position"
        )
        numeric = columns[columns.feature_kind == "numeric"].feature_name.tolist()
        histograms = {name: histogram(query, name) for name in numeric}
        customer_count = int(query("select count(*) as n from customer_segments").n[0])
        shown = ["customer_id", "segment_id", "segment_name", *columns.feature_name]
        data = ReportData(
            publication=query("select * from publication order by mart_name"),
            columns=columns,
            histograms=histograms,
            k_selection=query("select * from segment_k_selection order by k"),
            centroids=query(
                "select * from segment_centroids order by segment_id, dimension_position"
            ),
            scaling=query("select * from segment_feature_scaling order by dimension_position"),
            profiles=query("select * from segment_profiles order by segment_id"),
            feature_profiles=query(
                "select * from segment_feature_profiles "
                "order by segment_id, feature_position, category"
            ),
            campaigns=query(
                "select segment_id, campaign_name, channel, offer, priority "
                "from segment_campaigns order by segment_id, priority, campaign_name"
            ),
            # A bounded sample that is the same on every run: the customers whose ids
            # hash lowest.
            points=query(
                f"select {', '.join(_quoted(name) for name in shown)} from customer_segments "
                "order by hash(customer_id), customer_id limit ?",
                [max_points],
            ),
            customer_count=customer_count,
            quality=query("select * from data_quality_summary order by outcome_order"),
            # Customers by recency and frequency score: the RFM grid.
            rfm_grid=query(
                "select r_score, f_score, count(*) as customer_count, "
                "sum(monetary) as revenue from customer_rfm where is_scored "
                "group by all order by all"
            ),
            rfm_segments=query("select * from rfm_segment_summary order by rule_order"),
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
    choose_scatter_axes(data)
    return data


def histogram(query, column: str) -> pd.DataFrame:
    """Counts of a numeric column of customer_segments in HISTOGRAM_BINS equal bins."""
    name = _quoted(column)
    bounds = query(f"select min({name}) as low, max({name}) as high from customer_segments")
    low, high = bounds.low[0], bounds.high[0]
    if pd.isna(low):
        return pd.DataFrame({"bin_start": [], "customer_count": [], "bin_width": []})
    width = float(high - low) / HISTOGRAM_BINS or 1.0
    counts = query(
        f"select least(floor(({name} - ?) / ?), ?) as bin, count(*) as customer_count "
        f"from customer_segments where {name} is not null group by all order by bin",
        [float(low), width, HISTOGRAM_BINS - 1],
    )
    counts["bin_start"] = float(low) + counts.bin * width
    counts["bin_width"] = width
    return counts


# Scatter axes ---------------------------------------------------------------------


def model_space(points: pd.DataFrame, scaling: pd.DataFrame) -> np.ndarray:
    """The points placed in the model space as the build places them: imputed,
    transformed, centred and scaled numeric features, scaled category indicators."""
    coordinates = []
    for dimension in scaling.itertuples():
        values = points[dimension.feature_name]
        if dimension.feature_kind == "numeric":
            filled = values.astype(float)
            if pd.notna(dimension.imputation_value):
                filled = filled.fillna(float(dimension.imputation_value))
            if dimension.transform == "log":
                filled = np.log1p(filled)
            coordinates.append(
                (filled - float(dimension.feature_mean)) * float(dimension.dimension_scale)
            )
        else:
            filled = values
            if isinstance(dimension.imputation_category, str):
                filled = filled.fillna(dimension.imputation_category)
            coordinates.append((filled == dimension.category) * float(dimension.dimension_scale))
    return np.column_stack(coordinates).astype(float)


def distinguishing_order(data: ReportData, candidates: list[str]) -> list[str]:
    """Numeric columns, the ones whose segment means spread furthest apart (in
    population standard deviations) first."""
    numeric = data.feature_profiles[data.feature_profiles.feature_name.isin(candidates)]
    spread = numeric.groupby("feature_name").std_difference.agg(lambda s: s.max() - s.min())
    return sorted(candidates, key=lambda name: (-spread.get(name, 0.0), candidates.index(name)))


def choose_scatter_axes(data: ReportData) -> None:
    """Up to three axes for the scatters: the most distinguishing numeric segmentation
    features (then numeric profile columns), or, past MAX_FEATURES_SHOWN features or
    where fewer than two are numeric, the principal components of the model space."""
    columns = data.columns
    features = columns[columns.is_clustering_feature]
    numeric_features = features[features.feature_kind == "numeric"].feature_name.tolist()
    if len(features) <= MAX_FEATURES_SHOWN and len(numeric_features) >= 2:
        numeric_profiles = columns[
            ~columns.is_clustering_feature & (columns.feature_kind == "numeric")
        ].feature_name.tolist()
        ordered = distinguishing_order(data, numeric_features) + distinguishing_order(
            data, numeric_profiles
        )
        means = data.feature_profiles.pivot_table(
            index="segment_id", columns="feature_name", values="mean_value"
        )
        # The two most distinguishing features in their configured order, then the
        # next most distinguishing column for the third axis.
        chosen = [name for name in numeric_features if name in ordered[:2]] + ordered[2:3]
        data.scatter = []
        for name in chosen:
            unit = columns.set_index("feature_name").unit.get(name)
            centroid = data.centroids[data.centroids.feature_name == name]
            # A feature's centroid, in its own units; a profile column's segment mean.
            located = (
                centroid.set_index("segment_id").centroid_original if len(centroid) else means[name]
            )
            data.scatter.append(Axis(name, label(name, unit), located))
        data.scatter_note = "the columns whose segment means differ most"
        return
    coordinates = model_space(data.points, data.scaling)
    centre = coordinates.mean(axis=0)
    _, singular, components = np.linalg.svd(coordinates - centre, full_matrices=False)
    explained = singular**2 / max((singular**2).sum(), 1e-12)
    count = min(3, components.shape[0])
    projected = (coordinates - centre) @ components[:count].T
    centroid_frame = data.centroids.pivot(
        index="segment_id", columns="dimension_name", values="centroid_value"
    )[list(data.scaling.dimension_name)]
    centroid_projection = (centroid_frame.to_numpy() - centre) @ components[:count].T
    data.scatter = []
    for index in range(count):
        column = f"component_{index + 1}"
        data.points[column] = projected[:, index]
        title = f"component {index + 1} ({explained[index]:.0%} of the variance)"
        data.scatter.append(
            Axis(
                column, title, pd.Series(centroid_projection[:, index], index=centroid_frame.index)
            )
        )
    data.scatter_note = (
        f"a projection of the {len(data.scaling)}-dimensional model space on its principal "
        f"components ({len(features)} segmentation features)"
    )


def chart_ids(data: ReportData) -> list[str]:
    """The charts this report shows: the 3D chart only with three axes, the RFM charts
    only when the segmentation started from a transaction log."""
    shown = []
    for chart in CHART_IDS:
        if chart == "chart-segments-3d" and len(data.scatter) < 3:
            continue
        if chart in RFM_CHART_IDS and data.rfm_grid.empty:
            continue
        shown.append(chart)
    return shown


# Charts ----------------------------------------------------------------------------


def distribution_figure(data: ReportData):
    """Histograms of each numeric column, one panel per column."""
    import plotly.graph_objects as go
    from plotly.subplots import make_subplots

    shown = data.columns.feature_name.tolist()
    columns = 3 if len(shown) > 4 else 2
    rows = max(1, -(-len(shown) // columns))
    titles = [label(row.feature_name, row.unit) for row in data.columns.itertuples()]
    figure = make_subplots(
        rows=rows, cols=columns, subplot_titles=titles, vertical_spacing=0.5 / rows
    )
    population = data.feature_profiles.drop_duplicates(["feature_name", "category"])
    for index, column in enumerate(data.columns.itertuples()):
        row, col = divmod(index, columns)
        if column.feature_kind == "numeric":
            bins = data.histograms[column.feature_name]
            trace = go.Bar(
                x=bins.bin_start + bins.bin_width / 2,
                y=bins.customer_count,
                width=bins.bin_width,
                marker_color="#4E79A7",
                customdata=[
                    f"{start:.4g} to under {start + width:.4g}"
                    for start, width in zip(bins.bin_start, bins.bin_width, strict=True)
                ],
                hovertemplate="%{customdata}: %{y} customers<extra></extra>",
            )
        else:
            categories = population[population.feature_name == column.feature_name]
            categories = categories.sort_values("population_share", ascending=False)
            trace = go.Bar(
                x=categories.category,
                y=categories.population_share * data.customer_count,
                marker_color="#CC79A7",
                text=[f"{share:.0%}" for share in categories.population_share],
                textposition="auto",
            )
        figure.add_trace(trace, row=row + 1, col=col + 1)
    figure.update_yaxes(title_text="customers")
    figure.update_layout(
        title="Who the customers are", showlegend=False, height=300 * rows + 100, bargap=0.05
    )
    return figure


def k_selection_figure(data: ReportData):
    """The k-selection chart: inertia, silhouette and the gap with its error bars per k."""
    import plotly.graph_objects as go
    from plotly.subplots import make_subplots

    selection = data.k_selection
    chosen = selection[selection.is_selected]
    elbow = selection[selection.is_elbow_k]
    figure = make_subplots(
        rows=1,
        cols=3,
        subplot_titles=[
            "Elbow: inertia by k",
            "Silhouette by k (higher is better)",
            "Gap statistic by k, with s(k)",
        ],
    )
    for col, metric in ((1, "inertia"), (2, "silhouette"), (3, "gap_statistic")):
        figure.add_trace(
            go.Scatter(
                x=selection.k,
                y=selection[metric],
                mode="lines+markers",
                name=metric,
                line_color="#4E79A7",
                # The gap's error bars: the rule compares gap(k) with gap(k+1) - s(k+1).
                error_y=(
                    {"type": "data", "array": selection.gap_standard_error, "visible": True}
                    if metric == "gap_statistic"
                    else None
                ),
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
    if len(selection) and selection.gap_k.notna().any():
        choices = ", ".join(
            f"{rule} {int(selection[column].iloc[0])}"
            for rule, column in (
                ("elbow + silhouette", "elbow_silhouette_k"),
                ("silhouette", "silhouette_k"),
                ("gap", "gap_k"),
            )
        )
        features = f"{features}; k by rule: {choices}"
    figure.update_xaxes(title_text="k (number of segments)", dtick=1)
    figure.update_layout(title=f"Choosing k (clustering on {features})", height=420)
    return figure


def sample_note(data: ReportData) -> str:
    """Which customers the scatter charts show: all, or how many of how many."""
    shown = len(data.points)
    if shown >= data.customer_count:
        return f"all {data.customer_count:,} customers"
    return (
        f"a deterministic sample of {shown:,} of {data.customer_count:,} customers "
        "(lowest hash of the customer id)"
    )


def segments_2d_figure(data: ReportData):
    """The customers on the first two scatter axes, coloured by segment, with centroids."""
    import plotly.graph_objects as go

    x_axis, y_axis = data.scatter[:2]
    figure = go.Figure()
    for segment_id, points in data.points.groupby("segment_id", sort=True):
        figure.add_trace(
            go.Scattergl(
                x=points[x_axis.column],
                y=points[y_axis.column],
                mode="markers",
                name=f"{segment_id}: {points.segment_name.iloc[0]}",
                marker={"color": segment_colour(segment_id), "size": 6, "opacity": 0.7},
                customdata=points.customer_id,
                hovertemplate="customer %{customdata}<br>%{x}, %{y}<extra>%{fullData.name}</extra>",
            )
        )
    names = data.profiles.set_index("segment_id").segment_name
    segment_ids = [segment for segment in names.index if segment in x_axis.centroids.index]
    figure.add_trace(
        go.Scatter(
            x=[x_axis.centroids[segment] for segment in segment_ids],
            y=[y_axis.centroids[segment] for segment in segment_ids],
            mode="markers+text",
            name="centroids",
            text=[names[segment] for segment in segment_ids],
            textposition="top center",
            marker={
                "symbol": "x",
                "size": 16,
                "color": [segment_colour(segment) for segment in segment_ids],
                "line": {"width": 2, "color": "#000000"},
            },
        )
    )
    figure.update_layout(
        title=(f"Segments on {data.scatter_note}: {sample_note(data)}, centroids marked x"),
        xaxis_title=x_axis.title,
        yaxis_title=y_axis.title,
        height=560,
    )
    return figure


def segments_3d_figure(data: ReportData):
    """The customers on the first three scatter axes, in 3D, coloured by segment."""
    import plotly.graph_objects as go

    axes = data.scatter[:3]
    figure = go.Figure()
    for segment_id, points in data.points.groupby("segment_id", sort=True):
        figure.add_trace(
            go.Scatter3d(
                x=points[axes[0].column],
                y=points[axes[1].column],
                z=points[axes[2].column],
                mode="markers",
                name=f"{segment_id}: {points.segment_name.iloc[0]}",
                marker={"color": segment_colour(segment_id), "size": 3, "opacity": 0.8},
            )
        )
    figure.update_layout(
        title=f"Segments in 3D, on {data.scatter_note}: {sample_note(data)}",
        scene={
            "xaxis_title": axes[0].title,
            "yaxis_title": axes[1].title,
            "zaxis_title": axes[2].title,
        },
        height=620,
    )
    return figure


def segment_differences_figure(data: ReportData):
    """Each segment's distance from all customers per numeric column, in standard deviations."""
    import plotly.graph_objects as go

    numeric = data.feature_profiles[data.feature_profiles.feature_kind == "numeric"]
    order = data.columns[data.columns.feature_kind == "numeric"].feature_name.tolist()
    table = numeric.pivot_table(
        index="segment_id", columns="feature_name", values="std_difference"
    ).reindex(columns=order)
    names = data.profiles.set_index("segment_id").segment_name
    values = table.to_numpy()
    figure = go.Figure(
        go.Heatmap(
            z=values,
            x=[name.replace("_", " ") for name in table.columns],
            y=[f"{segment}: {names[segment]}" for segment in table.index],
            zmid=0,
            colorscale="RdBu_r",
            text=[[f"{value:+.1f} sd" for value in row] for row in values],
            texttemplate="%{text}",
            colorbar={"title": "sd from all"},
        )
    )
    figure.update_layout(
        title="What sets each segment apart (segment mean minus population mean, in sd)",
        height=140 + 60 * len(table),
        yaxis={"autorange": "reversed", "automargin": True},
    )
    return figure


def rfm_grid_figure(data: ReportData):
    """Customers by recency score (rows, 5 on top: plotly draws the first row at the
    bottom) and frequency score (columns)."""
    import plotly.graph_objects as go

    grid = (
        data.rfm_grid.pivot_table(
            index="r_score", columns="f_score", values="customer_count", aggfunc="sum"
        )
        .reindex(index=range(1, 6), columns=range(1, 6))
        .fillna(0)
    )
    figure = go.Figure(
        go.Heatmap(
            z=grid.to_numpy(),
            x=[f"F {score}" for score in grid.columns],
            y=[f"R {score}" for score in grid.index],
            colorscale="Blues",
            text=grid.to_numpy().astype(int),
            texttemplate="%{text}",
            colorbar={"title": "customers"},
        )
    )
    figure.update_layout(
        title="Customers by recency (R, 5 = most recent) and frequency (F) score",
        height=480,
    )
    return figure


def rfm_segments_figure(data: ReportData):
    """Each RFM segment's share of customers beside its share of revenue."""
    import plotly.graph_objects as go

    segments = data.rfm_segments
    figure = go.Figure()
    for column, name, colour in (
        ("customer_share", "share of customers", "#4E79A7"),
        ("revenue_share", "share of revenue", "#E69F00"),
    ):
        figure.add_trace(
            go.Bar(
                x=segments.rfm_segment,
                y=segments[column].fillna(0),
                name=name,
                marker_color=colour,
                text=[f"{share:.0%}" for share in segments[column].fillna(0)],
                textposition="auto",
            )
        )
    figure.update_layout(
        title="RFM segments: customers and revenue",
        barmode="group",
        yaxis={"tickformat": ".0%"},
        height=460,
    )
    return figure


# Page ------------------------------------------------------------------------------


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
    rows = "".join(
        f"<tr><td>{_e(q.outcome)}</td><td>{int(q.row_count):,}</td><td>{q.row_share:.1%}</td></tr>"
        for q in shown.itertuples()
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
    loaded = f"{input_rows:,} input rows loaded"
    if lines.row_count.sum() > 0:
        loaded += f", from {int(lines.row_count.sum()):,} transaction lines"
    return (
        f"<p>{loaded}.</p>"
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
        f"<td>{_e(v.clustering_features)}</td>"
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
        "<th>features</th><th>customers</th><th>segments kept / new / retired</th></tr>"
        f"</thead><tbody>{versions}</tbody></table><h3>Since the previous build</h3>"
        "<table class='migrations'><thead><tr><th>movement</th><th>from</th><th>to</th>"
        f"<th>customers</th></tr></thead><tbody>{moves}</tbody></table>"
    )


def rfm_section(charts: dict[str, str]) -> str:
    """The RFM charts, when the segmentation started from a transaction log."""
    if not charts["chart-rfm-grid"]:
        return ""
    return (
        '<section id="rfm"><h2>Recency, frequency and monetary value</h2>'
        f"{charts['chart-rfm-grid']}{charts['chart-rfm-segments']}</section>"
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

FIGURES = {
    "chart-distributions": distribution_figure,
    "chart-k-selection": k_selection_figure,
    "chart-segments-2d": segments_2d_figure,
    "chart-segments-3d": segments_3d_figure,
    "chart-segment-differences": segment_differences_figure,
    "chart-rfm-grid": rfm_grid_figure,
    "chart-rfm-segments": rfm_segments_figure,
}


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


def main(argv: list[str] | None = None) -> int:
    """Write the report for a published database (see --help); 0 on success."""
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
