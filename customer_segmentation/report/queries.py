"""The report's data: everything it shows, read from the published database's marts
(opened read-only), the scatter's bounded sample and axes, and the histograms."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from customer_segmentation.publication.publish import (
    DATABASE_FILE_NAME,
    DEFAULT_DIR_NAME,
    ENV_VAR,
)

DEFAULT_MAX_POINTS = 5_000


HISTOGRAM_BINS = 20


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


def _quoted(name: str) -> str:
    return '"' + str(name).replace('"', '""') + '"'


def label(column: str, unit=None) -> str:
    """How a column reads on an axis: "annual income (k$)"."""
    text = column.replace("_", " ")
    return f"{text} ({unit})" if isinstance(unit, str) and unit else text


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
