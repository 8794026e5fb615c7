"""The report's Plotly figures, each drawn from ReportData: distributions, the choice
of k, the segments in 2D and 3D, segment differences, the RFM charts."""

from __future__ import annotations

from customer_segmentation.report.queries import ReportData, label

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


def segment_colour(segment_id: int) -> str:
    """The segment's colour, the same in every chart."""
    return PALETTE[(int(segment_id) - 1) % len(PALETTE)]


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


FIGURES = {
    "chart-distributions": distribution_figure,
    "chart-k-selection": k_selection_figure,
    "chart-segments-2d": segments_2d_figure,
    "chart-segments-3d": segments_3d_figure,
    "chart-segment-differences": segment_differences_figure,
    "chart-rfm-grid": rfm_grid_figure,
    "chart-rfm-segments": rfm_segments_figure,
}
