"""A ready Apache Superset dashboard over the published marts, as an import bundle.

    .venv/bin/python -m customer_segmentation.publication.superset_dashboard \\
        published/segmentation.duckdb superset_dashboard.zip
    superset import-dashboards -p superset_dashboard.zip -u admin

The bundle holds a read-only DuckDB connection to the published file (by its absolute
path), one dataset per mart the charts read, seven charts and one dashboard. Every chart
reads a mart whose columns do not depend on the segmentation features; the one that
plots segments on two features reads the long-form `segment_feature_profiles` through
a virtual dataset, so a build on other features needs no new bundle. Columns and types
are read from the published file, so the datasets match the marts as built.

Identifiers are fixed UUIDs, so importing again adds no copies: Superset replaces the
dashboard and keeps the connection, datasets and charts it already has.
"""

from __future__ import annotations

import argparse
import io
import json
import uuid
import zipfile
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import yaml

BUNDLE_VERSION = "1.0.0"
DATABASE_NAME = "Customer segmentation (published)"
DASHBOARD_TITLE = "Customer segments"
DASHBOARD_SLUG = "customer-segments"
_NAMESPACE = uuid.UUID("5b0c1f9e-3d7a-4c55-9a51-4f2d1f3a7c20")

# The first two clustering features of the model, side by side, one row per segment:
# the plane every build has, whatever its features are called.
FEATURE_PLANE_SQL = """\
with ranked as (
    select
        segment_id,
        segment_name,
        feature_name,
        mean_value,
        dense_rank() over (order by feature_position, feature_name) as feature_rank
    from segment_feature_profiles
    where is_clustering_feature and category is null and mean_value is not null
)
select
    ranked.segment_id,
    ranked.segment_name,
    max(case when feature_rank = 1 then feature_name end) as first_feature,
    max(case when feature_rank = 1 then mean_value end) as first_feature_mean,
    max(case when feature_rank = 2 then feature_name end) as second_feature,
    max(case when feature_rank = 2 then mean_value end) as second_feature_mean,
    max(profiles.customer_count) as customer_count
from ranked
inner join segment_profiles as profiles on ranked.segment_id = profiles.segment_id
where feature_rank <= 2
group by ranked.segment_id, ranked.segment_name
"""


@dataclass(frozen=True)
class Dataset:
    """A Superset dataset: a mart, or a virtual dataset over its SQL."""

    name: str
    sql: str | None = None  # None: the mart of that name; else a virtual dataset

    @property
    def uuid(self) -> str:
        """The dataset's UUID, the same in every bundle."""
        return stable_uuid(f"dataset:{self.name}")


@dataclass(frozen=True)
class Chart:
    """A chart: its form data (`params`) and the query Superset runs for it."""

    key: str
    title: str
    dataset: Dataset
    viz_type: str
    params: dict
    columns: list = field(default_factory=list)
    metrics: list = field(default_factory=list)
    orderby: list = field(default_factory=list)
    filters: list = field(default_factory=list)
    width: int = 6
    height: int = 50

    @property
    def uuid(self) -> str:
        """The chart's UUID, the same in every bundle."""
        return stable_uuid(f"chart:{self.key}")


def stable_uuid(name: str) -> str:
    """A UUID derived from `name`, so that a re-import updates rather than duplicates."""
    return str(uuid.uuid5(_NAMESPACE, name))


def _metric(aggregate: str, column: str | None, label: str) -> dict:
    """An ad-hoc metric as Superset's explore view writes it."""
    if column is None:
        return {"expressionType": "SQL", "sqlExpression": "COUNT(*)", "label": label}
    return {
        "expressionType": "SIMPLE",
        "aggregate": aggregate,
        "column": {"column_name": column},
        "label": label,
    }


SEGMENT_PROFILES = Dataset("segment_profiles")
FEATURE_PROFILES = Dataset("segment_feature_profiles")
FEATURE_PLANE = Dataset("segment_feature_plane", FEATURE_PLANE_SQL)
MARKETING_TARGETS = Dataset("marketing_targets")
DATA_QUALITY = Dataset("data_quality_summary")
SEGMENT_QUALITY = Dataset("segment_quality")
MODEL_VERSIONS = Dataset("segment_model_versions")
DATASETS = [
    SEGMENT_PROFILES,
    FEATURE_PROFILES,
    FEATURE_PLANE,
    MARKETING_TARGETS,
    DATA_QUALITY,
    SEGMENT_QUALITY,
    MODEL_VERSIONS,
]

_customers = _metric("SUM", "customer_count", "customers")
_difference = _metric("MAX", "std_difference", "difference from all customers (sd)")
_first_mean = _metric("MAX", "first_feature_mean", "first feature mean")
_second_mean = _metric("MAX", "second_feature_mean", "second feature mean")
_targets = _metric("COUNT", None, "customers")
_version_k = _metric("MAX", "k", "segments (k)")
_version_silhouette = _metric("MAX", "silhouette", "silhouette")
_version_stability = _metric("MAX", "stability_ari_mean", "stability (mean ARI)")
_not_null_difference = {
    "expressionType": "SQL",
    "clause": "WHERE",
    "sqlExpression": "std_difference IS NOT NULL",
}


def _pivot(rows: list[str], columns: list[str], metrics: list[dict]) -> dict:
    return {
        "groupbyRows": rows,
        "groupbyColumns": columns,
        "metrics": metrics,
        "aggregateFunction": "Sum",
        "metricsLayout": "COLUMNS",
        "rowOrder": "key_a_to_z",
        "colOrder": "key_a_to_z",
        "valueFormat": ",.3~f",
        "row_limit": 10000,
    }


CHARTS = [
    Chart(
        "segment_sizes",
        "Segment sizes",
        SEGMENT_PROFILES,
        "pie",
        {
            "groupby": ["segment_name"],
            "metric": _customers,
            "row_limit": 100,
            "show_labels": True,
            "label_type": "key_value_percent",
            "show_legend": True,
            "number_format": "SMART_NUMBER",
        },
        columns=["segment_name"],
        metrics=[_customers],
        orderby=[[_customers, False]],
    ),
    Chart(
        "segment_feature_plane",
        "Segments on the first two features",
        FEATURE_PLANE,
        "bubble_v2",
        {
            "entity": "segment_name",
            "x": _first_mean,
            "y": _second_mean,
            "size": _customers,
            "max_bubble_size": "50",
            "row_limit": 1000,
            "show_legend": True,
            "xAxisFormat": "SMART_NUMBER",
            "y_axis_format": "SMART_NUMBER",
        },
        columns=["segment_name"],
        metrics=[_first_mean, _second_mean, _customers],
    ),
    Chart(
        "persona_profiles",
        "How each segment differs (standard deviations from all customers)",
        FEATURE_PROFILES,
        "pivot_table_v2",
        _pivot(["segment_name"], ["feature_name"], [_difference]),
        columns=["segment_name", "feature_name"],
        metrics=[_difference],
        filters=[_not_null_difference],
        width=12,
    ),
    Chart(
        "campaign_targets",
        "Campaign targets and control groups",
        MARKETING_TARGETS,
        "pivot_table_v2",
        _pivot(["campaign_code"], ["is_control_group"], [_targets]),
        columns=["campaign_code", "is_control_group"],
        metrics=[_targets],
    ),
    Chart(
        "data_quality_outcomes",
        "Data quality: what happened to every input row",
        DATA_QUALITY,
        "table",
        {
            "query_mode": "raw",
            "all_columns": ["input_table", "outcome", "row_count", "row_share"],
            "order_by_cols": [json.dumps(["outcome_order", True])],
            "row_limit": 100,
        },
        columns=["input_table", "outcome", "row_count", "row_share"],
        orderby=[["outcome_order", True]],
    ),
    Chart(
        "model_quality_over_versions",
        "Model quality over model versions",
        MODEL_VERSIONS,
        "pivot_table_v2",
        _pivot(["model_version"], [], [_version_k, _version_silhouette, _version_stability]),
        columns=["model_version"],
        metrics=[_version_k, _version_silhouette, _version_stability],
    ),
    Chart(
        "current_quality_gates",
        "Quality gates of the current model",
        SEGMENT_QUALITY,
        "table",
        {
            "query_mode": "raw",
            "all_columns": ["model_version", "check_name", "measured_value", "threshold", "passed"],
            "order_by_cols": [json.dumps(["check_name", True])],
            "row_limit": 100,
        },
        columns=["model_version", "check_name", "measured_value", "threshold", "passed"],
        orderby=[["check_name", True]],
    ),
]


def form_data(chart: Chart, datasource_id: int | None = None) -> dict:
    """The chart's form data; `datasource_id` once Superset has given the dataset one."""
    data = {**chart.params, "viz_type": chart.viz_type, "adhoc_filters": list(chart.filters)}
    if datasource_id is not None:
        data["datasource"] = f"{datasource_id}__table"
    return data


def query_context(chart: Chart, datasource_id: int) -> dict:
    """The request body of Superset's chart data API for the chart's query, as the
    dashboard sends it for the chart."""
    raw = chart.params.get("query_mode") == "raw"
    return {
        "datasource": {"id": datasource_id, "type": "table"},
        "force": False,
        "queries": [
            {
                "columns": chart.columns,
                "metrics": None if raw else chart.metrics,
                "orderby": chart.orderby,
                "filters": [],
                "extras": {
                    "having": "",
                    "where": " AND ".join(f"({each['sqlExpression']})" for each in chart.filters),
                },
                "row_limit": chart.params.get("row_limit", 10000),
                "order_desc": True,
            }
        ],
        "form_data": form_data(chart, datasource_id),
        "result_format": "json",
        "result_type": "full",
    }


def _columns(connection, dataset: Dataset) -> list[dict]:
    query = dataset.sql or f'select * from "{dataset.name}"'
    described = connection.execute(f"describe {query}").fetchall()
    return [
        {
            "column_name": name,
            "type": column_type,
            "is_dttm": column_type.startswith(("DATE", "TIMESTAMP")),
            "is_active": True,
            "groupby": True,
            "filterable": True,
        }
        for name, column_type, *_ in described
    ]


def _position() -> dict:
    """Two charts a row (wide ones alone), in CHARTS order."""
    position = {
        "DASHBOARD_VERSION_KEY": "v2",
        "ROOT_ID": {"type": "ROOT", "id": "ROOT_ID", "children": ["GRID_ID"]},
        "GRID_ID": {"type": "GRID", "id": "GRID_ID", "children": [], "parents": ["ROOT_ID"]},
        "HEADER_ID": {"type": "HEADER", "id": "HEADER_ID", "meta": {"text": DASHBOARD_TITLE}},
    }
    rows: list[list[Chart]] = []
    for chart in CHARTS:
        if rows and sum(each.width for each in rows[-1]) + chart.width <= 12:
            rows[-1].append(chart)
        else:
            rows.append([chart])
    for row_number, row in enumerate(rows, start=1):
        row_id = f"ROW-{row_number}"
        position["GRID_ID"]["children"].append(row_id)
        position[row_id] = {
            "type": "ROW",
            "id": row_id,
            "children": [],
            "parents": ["ROOT_ID", "GRID_ID"],
            "meta": {"background": "BACKGROUND_TRANSPARENT"},
        }
        for chart in row:
            chart_id = f"CHART-{chart.key}"
            # chartId is the exporting instance's; the import maps it by uuid.
            number = CHARTS.index(chart) + 1
            position[row_id]["children"].append(chart_id)
            position[chart_id] = {
                "type": "CHART",
                "id": chart_id,
                "children": [],
                "parents": ["ROOT_ID", "GRID_ID", row_id],
                "meta": {
                    "chartId": number,
                    "uuid": chart.uuid,
                    "sliceName": chart.title,
                    "width": chart.width,
                    "height": chart.height,
                },
            }
    return position


def bundle_files(published_database: Path) -> dict[str, dict]:
    """Every YAML document of the bundle, by its path inside the ZIP."""
    published_database = Path(published_database).resolve()
    database_uuid = stable_uuid("database")
    files: dict[str, dict] = {
        "metadata.yaml": {
            "version": BUNDLE_VERSION,
            "type": "Dashboard",
            "timestamp": datetime.now(UTC).isoformat(),
        },
        "databases/customer_segmentation.yaml": {
            "database_name": DATABASE_NAME,
            "sqlalchemy_uri": f"duckdb:///{published_database}",
            "cache_timeout": None,
            "expose_in_sqllab": True,
            "allow_run_async": False,
            "allow_ctas": False,
            "allow_cvas": False,
            "allow_dml": False,
            "allow_file_upload": False,
            # Read-only: a build replaces the file while Superset reads it, and a
            # read-write connection would hold a lock that makes the build fail.
            "extra": {"engine_params": {"connect_args": {"read_only": True}}},
            "uuid": database_uuid,
            "version": BUNDLE_VERSION,
        },
    }
    with duckdb.connect(str(published_database), read_only=True) as connection:
        for dataset in DATASETS:
            files[f"datasets/customer_segmentation/{dataset.name}.yaml"] = {
                "table_name": dataset.name,
                "schema": "main",
                "sql": dataset.sql,
                "main_dttm_col": None,
                "description": None,
                "cache_timeout": None,
                "filter_select_enabled": True,
                "columns": _columns(connection, dataset),
                "metrics": [
                    {"metric_name": "count", "expression": "COUNT(*)", "metric_type": "count"}
                ],
                "uuid": dataset.uuid,
                "database_uuid": database_uuid,
                "version": BUNDLE_VERSION,
            }
    for chart in CHARTS:
        files[f"charts/{chart.key}.yaml"] = {
            "slice_name": chart.title,
            "viz_type": chart.viz_type,
            "params": form_data(chart),
            "query_context": None,
            "cache_timeout": None,
            "uuid": chart.uuid,
            "dataset_uuid": chart.dataset.uuid,
            "version": BUNDLE_VERSION,
        }
    files["dashboards/customer_segments.yaml"] = {
        "dashboard_title": DASHBOARD_TITLE,
        "slug": DASHBOARD_SLUG,
        "description": None,
        "css": "",
        "position": _position(),
        "metadata": {"color_scheme": "supersetColors", "refresh_frequency": 0},
        "published": True,
        "uuid": stable_uuid("dashboard"),
        "version": BUNDLE_VERSION,
    }
    return files


def write_bundle(published_database: Path, bundle: Path) -> Path:
    """Write the import bundle (a ZIP) for the published database file."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, document in bundle_files(published_database).items():
            archive.writestr(f"customer_segments/{name}", yaml.safe_dump(document, sort_keys=False))
    bundle = Path(bundle)
    bundle.write_bytes(buffer.getvalue())
    return bundle


def main(argv: list[str] | None = None) -> None:
    """Write the import bundle for a published database (see --help)."""
    parser = argparse.ArgumentParser(
        description="Write a Superset import bundle (dashboard, charts, datasets and a "
        "read-only connection) for a published segmentation database."
    )
    parser.add_argument(
        "published_database",
        nargs="?",
        default="published/segmentation.duckdb",
        type=Path,
        help="the published DuckDB file (default: published/segmentation.duckdb)",
    )
    parser.add_argument(
        "bundle",
        nargs="?",
        default="superset_dashboard.zip",
        type=Path,
        help="the ZIP to write (default: superset_dashboard.zip)",
    )
    arguments = parser.parse_args(argv)
    if not arguments.published_database.exists():
        parser.error(f"{arguments.published_database} does not exist: run `dbt build` first")
    print(write_bundle(arguments.published_database, arguments.bundle))


if __name__ == "__main__":
    main()
