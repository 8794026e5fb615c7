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


def sibling_relation(this: Any, identifier: str) -> str:
    """The rendered name of table `identifier` in the same database and schema as a
    Python model's `dbt.this` (rendered with the engine's own quoting)."""
    rendered = repr(this)
    at = rendered.rfind(this.identifier)
    if at < 0:
        raise ValueError(f"cannot find {this.identifier!r} in {rendered!r}")
    return rendered[:at] + identifier + rendered[at + len(this.identifier) :]


def table_exists(session: Any, this: Any, identifier: str) -> bool:
    """Whether table `identifier` exists beside a Python model's `dbt.this`, on a
    DuckDB connection or a Spark session. Asked first rather than caught: a failed query
    would abort the DuckDB transaction dbt runs the model in."""
    catalog = getattr(session, "catalog", None)
    if catalog is not None and hasattr(catalog, "tableExists"):  # pyspark SparkSession
        return bool(catalog.tableExists(f"{this.schema}.{identifier}"))
    found = session.execute(
        "select count(*) from information_schema.tables"
        " where table_catalog = ? and table_schema = ? and table_name = ?",
        [this.database, this.schema, identifier],
    ).fetchall()  # fetched to the end: DuckDB 2 keeps the connection busy until then
    return found[0][0] > 0
