"""The Superset import bundle, read back without Superset (the import itself is
tested in a real Superset by test_superset.py, `-m superset`)."""

from __future__ import annotations

import zipfile

import duckdb
import yaml

from customer_segmentation.publication.publish import PublicationLayout
from customer_segmentation.publication.superset_dashboard import CHARTS, DATASETS, main
from helpers.dbt_runs import run_dbt


def read_bundle(path) -> dict[str, dict]:
    with zipfile.ZipFile(path) as archive:
        return {
            name.split("/", 1)[1]: yaml.safe_load(archive.read(name)) for name in archive.namelist()
        }


def test_the_bundle_connects_read_only_and_every_chart_finds_its_dataset(
    default_build, tmp_path, capsys
):
    published = PublicationLayout(default_build.published).database
    main([str(published), str(tmp_path / "dashboard.zip")])
    assert capsys.readouterr().out.strip() == str(tmp_path / "dashboard.zip")
    files = read_bundle(tmp_path / "dashboard.zip")

    assert files["metadata.yaml"]["type"] == "Dashboard"
    (database,) = [doc for name, doc in files.items() if name.startswith("databases/")]
    assert database["sqlalchemy_uri"] == f"duckdb:///{published.resolve()}"
    assert database["extra"]["engine_params"]["connect_args"] == {"read_only": True}
    assert not database["allow_dml"] and not database["allow_ctas"]

    datasets = {doc["uuid"]: doc for name, doc in files.items() if name.startswith("datasets/")}
    assert len(datasets) == len(DATASETS)
    assert {doc["database_uuid"] for doc in datasets.values()} == {database["uuid"]}
    with duckdb.connect(str(published), read_only=True) as connection:
        for dataset in datasets.values():
            query = dataset["sql"] or f'select * from "{dataset["table_name"]}"'
            described = [row[0] for row in connection.execute(f"describe {query}").fetchall()]
            assert [column["column_name"] for column in dataset["columns"]] == described
            assert connection.execute(f"select count(*) from ({query})").fetchone()[0] > 0

    charts = {doc["uuid"]: doc for name, doc in files.items() if name.startswith("charts/")}
    assert len(charts) == len(CHARTS)
    for chart in charts.values():
        columns = {column["column_name"] for column in datasets[chart["dataset_uuid"]]["columns"]}
        params = chart["params"]
        named = [
            *params.get("groupby", []),
            *params.get("groupbyRows", []),
            *params.get("groupbyColumns", []),
            *params.get("all_columns", []),
            *([params["entity"]] if "entity" in params else []),
        ]
        metrics = [params[key] for key in ("metric", "x", "y", "size") if key in params]
        metrics += params.get("metrics", [])
        named += [m["column"]["column_name"] for m in metrics if m["expressionType"] == "SIMPLE"]
        assert named and set(named) <= columns, chart["slice_name"]

    (dashboard,) = [doc for name, doc in files.items() if name.startswith("dashboards/")]
    placed = {
        item["meta"]["uuid"]
        for item in dashboard["position"].values()
        if isinstance(item, dict) and item.get("type") == "CHART"
    }
    assert placed == set(charts)


def bundle_of(published, path) -> dict[str, dict]:
    main([str(published), str(path)])
    return read_bundle(path)


def test_the_bundle_is_the_same_for_other_features(default_build, tmp_path):
    """No chart or dataset names a feature: a build on other columns changes only the
    datasets' column lists where a mart's columns differ, and the feature chart's
    virtual dataset finds the new model's first two features."""
    other = run_dbt(
        ["build"],
        tmp_path / "other" / "segmentation.duckdb",
        dbt_vars={"segmentation_features": ["age", "spending_score"]},
    )
    assert other.success, other.explain()
    default_database = PublicationLayout(default_build.published).database
    other_database = PublicationLayout(other.published).database
    first = bundle_of(default_database, tmp_path / "first.zip")
    second = bundle_of(other_database, tmp_path / "second.zip")
    for name in first:
        if name.startswith(("charts/", "dashboards/")):
            assert first[name] == second[name], name
    (plane_sql,) = [doc["sql"] for doc in second.values() if doc.get("sql")]
    with duckdb.connect(str(other_database), read_only=True) as connection:
        plane = connection.execute(
            f"select distinct first_feature, second_feature from ({plane_sql})"
        ).fetchall()
    assert plane == [("age", "spending_score")]
