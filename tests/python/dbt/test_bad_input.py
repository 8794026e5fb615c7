"""Bad input through real builds: rows quarantined with every reason and no good row
lost, a corpus of awkward files, Parquet types, wrong vars failing clearly, the public
mall file dropped in as the seed."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from helpers.dbt_runs import copy_project, public_mall_file, run_dbt
from helpers.mall_rows import (
    BAD_ROWS,
    HEADER,
    ROUNDED_ROWS,
    ZERO_ID_ROW,
    bundled_rows,
    centroid_cells,
)


def raw_quarantine(run) -> pd.DataFrame:
    """customer_quarantine with the raw id read back out of raw_values (the first key is
    the id's header)."""
    quarantine = run.query("select * from customer_quarantine order by input_row_number")
    quarantine["raw_customer_id"] = [
        next(iter(json.loads(values).values())) for values in quarantine.raw_values
    ]
    return quarantine


def test_bad_rows_are_quarantined_with_reasons_and_no_good_row_is_lost(tmp_path):
    good = bundled_rows()
    bad = BAD_ROWS
    duplicate = good[5]  # an exact copy collapses into one customer
    path = tmp_path / "customers.csv"
    path.write_text(
        "\r\n".join([HEADER, *good, *bad, *ROUNDED_ROWS, ZERO_ID_ROW, duplicate]) + "\r\n"
    )
    # Whole-number ids by choice: ids that are not whole numbers are then quarantined
    # (by default they would make every id text).
    run = run_dbt(
        ["build"],
        tmp_path / "bad.duckdb",
        dbt_vars={"customers_file": str(path), "customer_id_type": "integer"},
    )
    assert run.success, run.explain()
    assert run.statuses["has_no_rows_customer_quarantine_"] == "warn"

    quarantine = raw_quarantine(run)
    reasons = dict(zip(quarantine.raw_customer_id, quarantine.rejection_reason, strict=False))
    assert reasons["501"] == 'age is not a number: "abc"'
    assert reasons["502"] == "annual income is negative: -5"
    assert reasons["503"] == "spending score outside 1-100: 140"
    assert reasons["504"] == "missing gender"
    assert reasons["505"].startswith("age outside the plausible range")
    assert reasons["x7"] == 'customer id is not a number: "x7"'
    assert reasons["506"] == "spending score outside 1-100: 0.6"
    assert reasons["507"] == 'annual income is not a number: "nan"'
    assert reasons["1"].startswith("conflicting duplicate")
    assert reasons["520"].startswith("conflicting duplicate: customer id 520 appears 2")
    assert reasons["-3"] == "customer id is not a whole number of 0 or more: -3"
    assert len(quarantine) == len(bad) + 1  # both copies of customer 1

    segments = run.query(
        "select customer_id, age, spending_score from customer_segments order by customer_id"
    ).set_index("customer_id")
    assert set(segments.index) == set(range(2, 201)) | {0, 521, 522}
    assert segments.loc[521].to_dict() == {"age": 31, "spending_score": 48}
    assert segments.loc[522].to_dict() == {"age": 44, "spending_score": 12}
    flagged = run.query("select customer_id from stg_input__customers where has_rounded_value")
    assert sorted(flagged.customer_id) == [521, 522]
    summary = (
        run.query("select * from data_quality_summary where input_table = 'customers'")
        .set_index("outcome")
        .row_count
    )
    assert summary.to_dict() == {
        "segmented": 200,
        "segmented, fractional value rounded": 2,
        "segmented, missing value imputed": 0,
        "exact duplicate collapsed": 1,
        "not segmented: no purchase in the transaction log": 0,
        "quarantined": 13,
    }

    # The feature summary is pandas' describe() of every loaded row, unusable values
    # counted as missing (the bad rows above leave gaps and interpolated quartiles).
    staged = run.query("select age, annual_income, spending_score from stg_input__customers")
    feature_summary = run.query("select * from customer_feature_summary").set_index("feature_name")
    for feature, described in staged.describe().items():
        row = feature_summary.loc[feature]
        assert (row.row_count, row.missing_count) == (len(staged), staged[feature].isna().sum())
        found = row[
            ["value_count", "mean_value", "std_value", "min_value", "first_quartile"]
            + ["median_value", "third_quartile", "max_value"]
        ]
        assert found.to_numpy(dtype=float) == pytest.approx(described.to_numpy(), rel=1e-12)


def test_staging_compares_ids_only_when_two_rows_share_one(default_build, tmp_path):
    """The bundled rows repeat no id, so staging skips duplicate handling. One rejected
    row that reuses a bundled id makes it compare (a rejected row never conflicts); the
    bundled rows must come out of both paths the same."""

    def staging_sql(run) -> str:
        return next(
            (run.database.parent / "target" / "compiled").rglob("stg_input__customers.sql")
        ).read_text()

    reused_id = bundled_rows()[5].split(",")[0]
    path = tmp_path / "customers.csv"
    path.write_text("\n".join([HEADER, *bundled_rows(), f"{reused_id},Female,abc,40,50"]) + "\n")
    run = run_dbt(["build"], tmp_path / "reused.duckdb", dbt_vars={"customers_file": str(path)})
    assert run.success, run.explain()
    assert "repeated_ids" in staging_sql(run)
    assert "repeated_ids" not in staging_sql(default_build)

    query = "select * from stg_input__customers order by input_row_number"
    compared, skipped = run.query(query), default_build.query(query)
    assert len(compared) == len(skipped) + 1

    def rows(frame):
        return [tuple(None if pd.isna(v) else v for v in row) for row in frame.itertuples()]

    assert list(compared.columns) == list(skipped.columns)
    assert rows(compared.iloc[:-1]) == rows(skipped)
    rejected = compared.iloc[-1]
    assert rejected.customer_id == int(reused_id) and rejected.is_quarantined
    assert rejected.rejection_reason == 'age is not a number: "abc"'


GOOD_ROWS = [
    f"{9 + i},{('Female', 'Male')[i % 2]},{20 + i},{15 + 3 * i},{5 + 7 * i}" for i in range(12)
]


def reorder_with_extra_column(row: str) -> str:
    customer_id, gender, age, income, spending = row.split(",")
    return f"{spending},note,{age},{customer_id},{gender},{income}"


# Each file of the bad-input corpus and what must come of it: the error that names the
# problem, or the customers segmented and the reasons quarantined.
CORPUS = {
    "empty": ("", "The customers input is empty"),
    "header_only": (HEADER + "\n", "has no rows: nothing to segment"),
    "utf8_bom": ("\ufeff" + HEADER + "\n" + "\n".join(GOOD_ROWS) + "\n", (12, {})),
    "extra_and_reordered_columns": (
        "Spending Score (1-100),Notes,Age,CustomerID,Gender,Annual Income (k$)\n"
        + "\n".join(map(reorder_with_extra_column, GOOD_ROWS))
        + "\n",
        (12, {}),
    ),
    "blank_lines": (HEADER + "\n\n" + "\n\n".join(GOOD_ROWS) + "\n\n", (12, {})),
    "quoted_numbers": (
        HEADER + "\n" + "\n".join('"' + row.replace(",", '","') + '"' for row in GOOD_ROWS),
        (12, {}),
    ),
    "zero_padded_ids_and_whole_decimals": (
        HEADER + "\n" + "\n".join("000" + row for row in GOOD_ROWS) + "\n5,Male,30.0,20.5,50.0\n",
        (13, {}),
    ),
    # Two ids a double cannot tell apart stay two customers; with whole-number ids
    # asked for, one past 64 bits is quarantined, not a failed cast that stops the
    # build (by default it would make every id text).
    "long_and_oversized_ids": (
        HEADER
        + "\n"
        + "\n".join(GOOD_ROWS)
        + "\n9007199254740993,Female,30,40,50\n9007199254740992,Male,31,41,51"
        + "\n99999999999999999999,Male,31,41,51\n",
        (
            14,
            {
                "99999999999999999999": "customer id is too large to read exactly: "
                + "99999999999999999999"
            },
        ),
    ),
    "unicode_and_odd_genders": (
        HEADER
        + "\n"
        + "\n".join(GOOD_ROWS)
        + "\n5, f ,30,20,50\n6,MALE,30,20,50\n7,Fémale,30,20,50\n8,☃,30,20,50\n",
        (14, {"7": 'unrecognised gender: "Fémale"', "8": 'unrecognised gender: "☃"'}),
    ),
}


CORPUS_VARS = {"long_and_oversized_ids": {"customer_id_type": "integer"}}


@pytest.mark.parametrize("case", CORPUS)
def test_bad_input_corpus(tmp_path, case):
    text, expected = CORPUS[case]
    path = tmp_path / f"{case}.csv"
    path.write_text(text, encoding="utf-8")
    dbt_vars = {"customers_file": str(path), **CORPUS_VARS.get(case, {})}
    run = run_dbt(["build"], tmp_path / "corpus.duckdb", dbt_vars=dbt_vars)
    if isinstance(expected, str):
        assert not run.success
        assert expected in run.explain()
        return
    assert run.success, run.explain()
    segmented, reasons = expected
    assert len(run.query("select * from customer_segments")) == segmented
    quarantine = raw_quarantine(run)
    assert (
        dict(zip(quarantine.raw_customer_id, quarantine.rejection_reason, strict=True)) == reasons
    )


def test_too_many_bad_rows_fail_the_build_and_say_why(tmp_path):
    path = tmp_path / "mostly_bad.csv"
    rows = bundled_rows()[:20] + [f"{900 + i},Female,abc,40,50" for i in range(30)]
    path.write_text("\n".join([HEADER, *rows]) + "\n")
    run = run_dbt(["build"], tmp_path / "mostly_bad.duckdb", dbt_vars={"customers_file": str(path)})
    assert not run.success
    assert "30 of 50 input rows (60.0%) were quarantined" in run.explain()
    assert "max_quarantined_row_share" in run.explain()


def test_missing_column_fails_with_an_error_naming_it(tmp_path):
    path = tmp_path / "no_income.csv"
    path.write_text("CustomerID,Gender,Age,Spending Score (1-100)\n1,Male,30,39\n2,Female,40,60\n")
    run = run_dbt(["build"], tmp_path / "no_income.duckdb", dbt_vars={"customers_file": str(path)})
    assert not run.success
    assert (
        "missing the column 'annual_income' (segmentation feature annual_income). Columns "
        "found: CustomerID, Gender, Age, Spending Score (1-100)" in run.explain()
    )


def test_parquet_input_with_snake_case_columns_builds(tmp_path):
    frame = pd.read_csv(public_or_bundled_path())
    frame.columns = ["customer_id", "gender", "age", "annual_income", "spending_score"]
    # A column named like the one DuckDB adds for row numbers must not clash with it.
    frame["file_row_number"] = 7
    path = tmp_path / "customers.parquet"
    frame.to_parquet(path)
    run = run_dbt(["build"], tmp_path / "parquet.duckdb", dbt_vars={"customers_file": str(path)})
    assert run.success, run.explain()
    assert len(run.query("select * from customer_segments")) == len(frame)


def test_typed_parquet_numbers_are_checked_like_text(tmp_path):
    """Numeric Parquet columns skip the text round trip; the verdicts must not change."""
    frame = pd.read_csv(public_or_bundled_path())
    frame.columns = ["CustomerID", "Gender", "Age", "Annual Income (k$)", "Spending Score (1-100)"]
    frame = frame.astype({"Age": "float64", "Annual Income (k$)": "float64"})
    bad = pd.DataFrame(
        {
            "CustomerID": [501, 502, 503, 504, 505, 506, 1],
            "Gender": ["Female", "Male", "Female", "Male", "Female", "Male", "Male"],
            "Age": [200.0, 30.5, None, 30.0, 30.0, 30.0, 99.0],
            "Annual Income (k$)": [40.0, 40.0, 40.0, -5.0, float("nan"), 40.0, 99.0],
            "Spending Score (1-100)": [50, 50, 50, 50, 50, 140, 99],
        }
    )
    import pyarrow as pa
    import pyarrow.parquet as pq

    rows = pd.concat([frame, bad, frame.iloc[[5]]])
    # Written column by column so that NaN stays NaN (pandas would write it as null).
    columns = {name: rows[name].tolist() for name in rows.columns}
    columns["Age"] = [None if age != age else age for age in columns["Age"]]  # a real null
    table = pa.table(
        {name: pa.array(values, from_pandas=False) for name, values in columns.items()}
    )
    path = tmp_path / "typed.parquet"
    pq.write_table(table, path)
    run = run_dbt(["build"], tmp_path / "typed.duckdb", dbt_vars={"customers_file": str(path)})
    assert run.success, run.explain()
    quarantine = raw_quarantine(run)
    reasons = dict(zip(quarantine.raw_customer_id, quarantine.rejection_reason, strict=False))
    assert reasons["501"] == "age outside the plausible range 15-100: 200.0"
    assert "502" not in reasons  # a fractional age is rounded, not rejected
    assert reasons["503"] == "missing age"
    assert reasons["504"] == "annual income is negative: -5.0"
    assert reasons["505"] == 'annual income is not a number: "nan"'
    assert reasons["506"] == "spending score outside 1-100: 140"
    assert reasons["1"].startswith("conflicting duplicate: customer id 1 appears 2 times")
    assert len(quarantine) == len(bad)  # 502 is kept; both copies of customer 1 are not
    # Row numbers are positions in the file, counted from 1 (DuckDB's own, for Parquet).
    positions = dict(zip(quarantine.raw_customer_id, quarantine.input_row_number, strict=False))
    assert positions["501"] == len(frame) + 1
    assert positions["506"] == len(frame) + 6
    segments = run.query("select customer_id, age from customer_segments").set_index("customer_id")
    assert set(segments.index) == set(frame.CustomerID) - {1} | {502}
    assert segments.age[502] == 31


def test_parquet_column_of_the_wrong_type_fails_naming_it(tmp_path):
    import datetime

    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.table(
        {
            "CustomerID": pa.array([1, 2]),
            "Gender": pa.array(["Female", "Male"]),
            "Age": pa.array([datetime.date(2000, 1, 1)] * 2),
            "Annual Income (k$)": pa.array([15.0, 16.0]),
            "Spending Score (1-100)": pa.array([50, 60]),
        }
    )
    path = tmp_path / "dates.parquet"
    pq.write_table(table, path)
    run = run_dbt(["build"], tmp_path / "dates.duckdb", dbt_vars={"customers_file": str(path)})
    assert not run.success
    assert 'column "Age" (age) has type DATE; it must hold numbers' in run.explain()


def test_vars_reach_the_python_model(tmp_path):
    dbt_vars = {
        "segment_count": 3,
        "segment_k_max": 4,
        "segmentation_features": ["age", "spending_score"],
        # The var wins over SEGMENTATION_PUBLISHED_DIR, which run_dbt always sets.
        "published_dir": str(tmp_path / "by_var"),
    }
    run = run_dbt(["build"], tmp_path / "vars.duckdb", dbt_vars=dbt_vars)
    assert run.success, run.explain()
    assert (tmp_path / "by_var/segmentation.duckdb").exists()
    assert not run.published.exists()
    selection = run.query("select * from segment_k_selection order by k")
    assert selection.k.tolist() == [2, 3, 4]
    assert selection[selection.is_selected].k.tolist() == [3]
    assert set(selection.clustering_features) == {"age,spending_score"}
    assert set(selection.selection_method) == {"fixed"}
    profiles = run.query("select * from segment_profiles")
    assert len(profiles) == 3 and profiles.segment_name.is_unique


def public_or_bundled_path():
    from helpers.dbt_runs import PROJECT_DIR

    return PROJECT_DIR / "seeds/raw/mall_customers.csv"


@pytest.mark.parametrize(
    ("dbt_vars", "message"),
    [
        ({"segmentation_features": ["income"]}, "missing the column 'income'"),
        # Quoted as an identifier: a column that does not exist, not a statement.
        ({"segmentation_features": ['age"); drop table x; --']}, "missing the column"),
        ({"segmentation_features": [{"column": "age", "scale": 2}]}, "unknown option(s) scale"),
        ({"segmentation_features": [{"column": "age", "transform": "sqrt"}]}, "transform of"),
        ({"segmentation_features": [{"column": "age", "weight": 0}]}, "weight of 'age'"),
        ({"segmentation_features": [{"column": "age", "min": 9, "max": 3}]}, "is above its max"),
        (
            {
                "segmentation_features": [
                    {"column": "gender", "kind": "categorical", "missing": "median"}
                ]
            },
            "is categorical",
        ),
        ({"segmentation_features": ["age", "Age"]}, "repeats a column: age"),
        ({"segmentation_features": ["segment id"]}, "a name the pipeline writes itself"),
        ({"segmentation_features": []}, "segmentation_features is empty"),
        ({"profile_columns": ["(%)"]}, "gives no usable output name"),
        ({"customer_id_type": "uuid"}, "customer_id_type must be auto, integer or text"),
        ({"customer_id_column": "client_number"}, "customer_id_column 'client_number' is not a"),
        (
            {"customers_relation": "main.nowhere"},
            "customers_relation 'main.nowhere' does not exist",
        ),
        ({"customers_relation": "a.b.c.d"}, "must be table, schema.table"),
        ({"customers_file": "/nowhere/customers.csv"}, "does not exist"),
        ({"customers_file": "/tmp/customers.xlsx"}, "must end in .csv"),
        # Quoted into SQL as a string literal: a path, not a statement.
        ({"customers_file": "/tmp/x'); drop table raw.mall_customers; --.csv"}, "does not exist"),
        ({"segment_sample_size": 0}, "segment_sample_size must be between"),
        ({"segment_k_min": 6, "segment_k_max": 3}, "segment_k_min=6 and segment_k_max=3"),
        ({"control_group_share": 1.5}, "control_group_share must be between 0 and 1"),
        ({"refit": "maybe"}, "var refit must be true or false, got 'maybe'"),
        ({"segment_algorithm": "kmeans'; drop table x; --"}, "segment_algorithm must be one of"),
        ({"segment_algorithm": "dbscan", "segment_count": 4}, "segment_count cannot be used"),
        ({"segment_match_max_distance": -1}, "segment_match_max_distance must be above 0"),
        ({"outlier_iqr_multiplier": "3; drop table x"}, "outlier_iqr_multiplier must be a number"),
        ({"min_silhouette": 2}, "min_silhouette must be between -1 and 1"),
    ],
)
def test_bad_vars_fail_with_a_clear_message(tmp_path, dbt_vars, message):
    run = run_dbt(["build"], tmp_path / "vars.duckdb", dbt_vars=dbt_vars)
    assert not run.success
    assert message in run.explain()


@pytest.mark.public_data
@pytest.mark.parametrize("file_name", ["Mall_Customers.csv", "Mall_Customers_Genre.csv"])
@pytest.mark.parametrize("line_end", ["\n", "\r\n"])
def test_public_file_dropped_in_as_the_seed_builds_the_known_segments(
    tmp_path, file_name, line_end
):
    source = public_mall_file(file_name)
    project = copy_project(tmp_path / "project")
    text = source.read_text(encoding="utf-8").replace("\r\n", "\n").replace("\n", line_end)
    (project / "seeds/raw/mall_customers.csv").write_bytes(text.encode("utf-8"))
    run = run_dbt(["build"], tmp_path / "public.duckdb", project_dir=project)
    assert run.success, run.explain()
    assert run.query("select k from segment_k_selection where is_selected").k.tolist() == [5]
    profiles = run.query("select * from segment_profiles order by segment_id")
    assert profiles.customer_count.sum() == 200
    assert dict(zip(centroid_cells(profiles), profiles.segment_name, strict=True)) == {
        ("low", "low"): "Frugal Budget Seekers",
        ("low", "high"): "Enthusiastic Budget Shoppers",
        ("mid", "mid"): "Steady Mainstream",
        ("high", "low"): "Careful Affluents",
        ("high", "high"): "Affluent Enthusiasts",
    }
    assert set(run.query("select customer_id from customer_segments").customer_id) == set(
        range(1, 201)
    )


def test_a_seed_with_bad_cells_still_loads_and_quarantines_them(tmp_path):
    """A non-numeric cell must not fail the seed load, only its own row."""
    project = copy_project(tmp_path / "project")
    rows = bundled_rows()
    rows[0] = "1,Female,thirty,15,39"
    rows[1] = "0002,  male ,21,15.0,81"  # zero-padded id, odd spacing, decimal income
    (project / "seeds/raw/mall_customers.csv").write_text("\n".join([HEADER, *rows]) + "\n")
    run = run_dbt(["build"], tmp_path / "seed.duckdb", project_dir=project)
    assert run.success, run.explain()
    quarantine = run.query("select * from customer_quarantine")
    assert quarantine.rejection_reason.tolist() == ['age is not a number: "thirty"']
    second = run.query("select * from customer_segments where customer_id = 2")
    assert second[["gender", "age", "annual_income"]].values.tolist() == [["Male", 21, 15.0]]
