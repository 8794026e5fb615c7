"""The project's own generic data tests fail when they should: each test's SQL, as the
default build compiled and ran it (it passed there), is run again on a copy of that
build's database into which one violation has been planted."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from helpers.dbt_runs import connect_build, copy_database, run_dbt

PROJECT = "customer_segmentation"


def compiled_test(build, test_name: str, model: str) -> str:
    """The SQL dbt ran for the `test_name` test attached to `model` in that build."""
    manifest = json.loads((build.database.parent / "target" / "manifest.json").read_text())
    found = [
        node["compiled_code"]
        for node in manifest["nodes"].values()
        if node["resource_type"] == "test"
        and (node.get("test_metadata") or {}).get("name") == test_name
        and node.get("attached_node") in (f"model.{PROJECT}.{model}", f"seed.{PROJECT}.{model}")
    ]
    assert len(found) == 1, f"expected one {test_name} test on {model}, found {len(found)}"
    return found[0]


@pytest.fixture
def planted(default_build, tmp_path):
    """Run a test's compiled SQL on a copy of the default build after `setup` statements."""
    database = copy_database(default_build.database, tmp_path / default_build.database.name)

    def run(test_name: str, model: str, *setup: str) -> pd.DataFrame:
        sql = compiled_test(default_build, test_name, model)
        with connect_build(database) as connection:
            before = connection.execute(sql).df()
            assert before.empty, f"{test_name} on {model} fails on the build itself:\n{before}"
            for statement in setup:
                connection.execute(statement)
            return connection.execute(sql).df()

    return run


def test_unique_keys_reports_a_repeated_and_a_missing_key(planted):
    failures = planted(
        "unique_keys",
        "int_segment_identity",
        # A copy of one segment under a new position: its id and name now repeat.
        "insert into main.int_segment_identity "
        "select * replace (candidate_segment + 100 as candidate_segment) "
        "from main.int_segment_identity order by segment_id limit 1",
        # And another segment without a name.
        "update main.int_segment_identity set segment_name = null "
        "where segment_id = (select max(segment_id) from main.int_segment_identity)",
    )
    assert set(failures["key_columns"]) == {"segment_id", "segment_name"}
    repeated = failures[failures["rows_with_key"] == 2]
    assert set(repeated["key_columns"]) == {"segment_id", "segment_name"}
    assert list(failures.loc[failures["rows_with_key"] == 1, "key_value"]) == ["null"]


def test_unique_keys_checks_a_compound_key_as_a_whole(planted):
    failures = planted(
        "unique_keys",
        "int_segment_models_registered",
        # Another segment of the same fit at the same position and dimension.
        "insert into main.int_segment_models_registered "
        "select * replace (segment_id + 1000 as segment_id) "
        "from main.int_segment_models_registered where is_selected_k "
        "order by segment_id, dimension_position limit 1",
    )
    assert list(failures["key_columns"]) == ["model_version, k, candidate_segment, dimension_name"]
    assert list(failures["rows_with_key"]) == [2]
    assert failures["key_value"].iloc[0].count(", ") == 3


def test_not_null_columns_reports_the_row_with_a_null(planted):
    failures = planted(
        "not_null_columns",
        "customer_segment_history",
        "update main.customer_segment_history set segment_id = null "
        "where customer_id = (select min(customer_id) from main.customer_segment_history)",
    )
    assert len(failures) == 1
    assert failures["segment_id"].isna().all()


def test_accepted_values_by_column_names_the_column_and_value(planted):
    failures = planted(
        "accepted_values_by_column",
        "segment_feature_profiles",
        "update main.segment_feature_profiles set feature_kind = 'ordinal' "
        "where feature_name = 'age' and segment_id <= 3",
        "update main.segment_feature_profiles set feature_kind = 'free text' "
        "where feature_name = 'gender' and segment_id = 1 and category = 'Male'",
    )
    found = {(row.column_name, row.value, row.rows_with_value) for row in failures.itertuples()}
    assert found == {("feature_kind", "ordinal", 3), ("feature_kind", "free text", 1)}


def test_unique_accepted_values_reports_repeats_strangers_and_nulls(planted):
    failures = planted(
        "unique_accepted_values",
        "data_quality_summary",
        "insert into main.data_quality_summary "
        "select * from main.data_quality_summary where outcome = 'segmented'",
        "update main.data_quality_summary set outcome = 'lost' where outcome = 'quarantined'",
    )
    found = dict(zip(failures["value"], failures["problem"], strict=True))
    assert found == {"segmented": "repeated", "lost": "not accepted"}


def test_the_build_runs_each_generic_test_it_declares(default_build):
    """Every test of these kinds in the project ran in the default build and passed
    (a test dbt skipped or never selected would make the checks above hollow)."""
    manifest = json.loads(
        (Path(default_build.database.parent) / "target" / "manifest.json").read_text()
    )
    kinds = {
        "unique_keys",
        "not_null_columns",
        "accepted_values_by_column",
        "unique_accepted_values",
    }
    declared = {
        node["name"]
        for node in manifest["nodes"].values()
        if node["resource_type"] == "test"
        and (node.get("test_metadata") or {}).get("name") in kinds
    }
    assert len(declared) >= 20
    assert {default_build.statuses[name] for name in declared} == {"pass"}


def test_same_keys_as_finds_a_swapped_key_and_a_repeated_one(default_build, tmp_path):
    """same_keys_as skips its key-by-key comparison when the keys' fingerprints match.
    A swapped key leaves the row count as it was, and a repeated current history row
    repeats a key that customer_segments has once: both tests must still fail, naming
    the keys at fault, in a real `dbt test` on a planted copy of the build."""
    database = copy_database(default_build.database, tmp_path / "segmentation.duckdb")
    with connect_build(database) as connection:
        swapped_id, stranger_id = connection.execute(
            "select min(customer_id), max(customer_id) + 1000 from main.customer_segments"
        ).fetchone()
        connection.execute(
            f"update main.customer_segments set customer_id = {stranger_id} "
            f"where customer_id = {swapped_id}"
        )
        repeated_id = connection.execute(
            "select max(customer_id) from main.customer_segment_history where valid_to is null"
        ).fetchone()[0]
        connection.execute(
            "insert into main.customer_segment_history select * replace "
            "(valid_from - interval 1 day as valid_from) from main.customer_segment_history "
            f"where valid_to is null and customer_id = {repeated_id}"
        )

    run = run_dbt(["test", "--select", "test_name:same_keys_as", "--store-failures"], database)
    assert not run.success
    failed = {name for name, status in run.statuses.items() if status == "fail"}
    assert len(failed) == 2 and len(run.statuses) == 2, run.statuses

    with connect_build(database) as connection:
        stored = {
            table: connection.execute(
                f'select cast(key_value as bigint), problem from "{schema}"."{table}" order by all'
            ).fetchall()
            for schema, table in connection.execute(
                "select schema_name, table_name from duckdb_tables() "
                "where table_name like 'same_keys_as%'"
            ).fetchall()
        }
    # The swap also shows in the history: its current rows now differ from
    # customer_segments by those two keys.
    by_model = {
        "customer_segments": [
            (swapped_id, "missing from the tested model"),
            (stranger_id, "missing from stg_input__customers"),
        ],
        "customer_segment_history": [
            (swapped_id, "missing from customer_segments"),
            (stranger_id, "missing from the tested model"),
            (repeated_id, "repeated in the tested model"),
        ],
    }
    # dbt shortens both tables' names alike, so they are matched by content.
    assert sorted(stored.values()) == sorted(sorted(rows) for rows in by_model.values())


def test_same_keys_as_compares_by_fingerprint_when_the_keys_match(default_build):
    """On the build itself both same_keys_as tests passed without their join: the SQL
    dbt ran is the empty result of a fingerprint match."""
    ran = [
        path.read_text()
        for path in (default_build.database.parent / "target" / "run").rglob("same_keys_as_*.sql")
    ]
    assert len(ran) == 2
    assert all("fingerprints match" in sql and "full outer join" not in sql for sql in ran)


@pytest.mark.parametrize("id_kind", ["whole numbers", "text"])
def test_unique_keys_counts_a_large_key_and_still_finds_a_repeat(tmp_path, id_kind):
    """From 10,000 rows on, unique_keys counts a key's distinct values instead of
    grouping (a whole number in a bitmap, text by its hashes; the build's own run shows
    it); a repeated key must still fail the test, named, in a real `dbt test` on a
    planted copy of that build."""
    from customer_segmentation.devtools.planted import planted_customers

    customers = tmp_path / "customers.parquet"
    frame = planted_customers(12_000)
    if id_kind == "text":
        frame["CustomerID"] = "C-" + frame["CustomerID"].astype(str)
    frame.to_parquet(customers, index=False)
    build_dir = tmp_path / "build"
    build_dir.mkdir()
    build = run_dbt(
        ["build"], build_dir / "segmentation.duckdb", dbt_vars={"customers_file": str(customers)}
    )
    assert build.success, build.explain()
    name = "unique_keys_customer_segments_customer_id"
    assert build.statuses[name] == "pass"
    ran = next((build_dir / "target" / "run").rglob(f"{name}.sql")).read_text()
    assert "counted as many distinct values" in ran and "group by" not in ran

    planted_dir = tmp_path / "planted"
    planted_dir.mkdir()
    database = copy_database(build.database, planted_dir / "segmentation.duckdb")
    with connect_build(database) as connection:
        repeated_id = connection.execute(
            "select max(customer_id) from main.customer_segments"
        ).fetchone()[0]
        connection.execute(
            "insert into main.customer_segments select * from main.customer_segments "
            "where customer_id = ?",
            [repeated_id],
        )
    run = run_dbt(
        ["test", "--select", name, "--store-failures"],
        database,
        dbt_vars={"customers_file": str(customers)},
    )
    assert run.statuses == {name: "fail"}, run.statuses
    with connect_build(database) as connection:
        stored = connection.execute(
            f"select key_columns, key_value, rows_with_key from dbt_test__audit.{name}"
        ).fetchall()
    assert stored == [("customer_id", str(repeated_id), 2)]
