import duckdb
import pandas as pd
import pytest

from customer_segmentation.in_dbt.frames import to_pandas

EXPECTED = pd.DataFrame({"customer_id": [1, 2], "annual_income_z": [-1.0, 1.0]})


def test_duckdb_relation_comes_through_arrow():
    connection = duckdb.connect()
    relation = connection.sql(
        "select * from (values (1, -1.0), (2, 1.0)) as t(customer_id, annual_income_z)"
    )
    frame = to_pandas(relation)
    pd.testing.assert_frame_equal(frame, EXPECTED, check_dtype=False)


def test_spark_like_frames_use_to_pandas():
    class SparkLikeFrame:
        def toPandas(self):  # noqa: N802 - pyspark's spelling
            return EXPECTED

    assert to_pandas(SparkLikeFrame()) is EXPECTED


def test_pandas_passes_through_and_other_things_are_refused():
    assert to_pandas(EXPECTED) is EXPECTED
    with pytest.raises(TypeError, match="cannot read a list"):
        to_pandas([1, 2])
