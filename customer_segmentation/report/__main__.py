"""python -m customer_segmentation.report: write the report for a published database."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import duckdb

from customer_segmentation.publication.publish import (
    DATABASE_FILE_NAME,
    DEFAULT_DIR_NAME,
    ENV_VAR,
)
from customer_segmentation.report.page import REPORT_FILE_NAME, write_report
from customer_segmentation.report.queries import DEFAULT_MAX_POINTS, default_database


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
