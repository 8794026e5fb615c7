"""Turn whatever a dbt Python model receives from `dbt.ref()` into a pandas frame.

On DuckDB `dbt.ref()` gives a DuckDB relation, on Spark and Databricks a pyspark
DataFrame. Only the bounded sample and the tiny scaling table pass through here, so a
pandas frame is the right size; the transfer from DuckDB goes through Arrow.
"""

from __future__ import annotations

from typing import Any

import pandas as pd


def to_pandas(relation: Any) -> pd.DataFrame:
    """A pandas frame from a DuckDB relation, a pyspark DataFrame or a pandas frame."""
    if isinstance(relation, pd.DataFrame):
        return relation
    if hasattr(relation, "toPandas"):  # pyspark.sql.DataFrame
        return relation.toPandas()
    if hasattr(relation, "arrow"):  # duckdb.DuckDBPyRelation
        table = relation.arrow()
        # duckdb 2.0 returns a RecordBatchReader, older releases an Arrow Table.
        if hasattr(table, "read_all"):
            table = table.read_all()
        return table.to_pandas()
    raise TypeError(
        f"cannot read a {type(relation).__name__}: expected a DuckDB relation, "
        "a pyspark DataFrame or a pandas DataFrame"
    )
