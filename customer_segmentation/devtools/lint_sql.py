"""Lint the project's SQL with SQLFluff (`.sqlfluff`), as CI and pre-commit do.

SQLFluff's dbt templater compiles each model the way dbt does, and several models ask
the database a question at compile time (the input's columns, the fitted model), so it
needs tables to ask. This builds the project into a scratch database first, then lints
against it; the developer's own database, publication and `target/` are not touched.

    python -m customer_segmentation.devtools.lint_sql [paths...]

With no paths it lints everything SQLFluff can render: models, singular tests and
analyses; a file it cannot compile fails the check rather than being skipped. Macro
files and generic tests only define macros, which the dbt templater cannot render on
their own; they are checked through the models that call them.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

from customer_segmentation.devtools.harness import PROJECT_DIR, dbt_build_process

LINTED_FOLDERS = ("models", "tests/singular", "analyses")
# Files of macro definitions: not linted themselves, but they shape what is.
MACRO_FOLDERS = ("macros/", "tests/generic/")


def lintable(paths: list[str]) -> list[str]:
    """What to lint for the given files (pre-commit passes every staged file): the SQL
    files among them that lie in a linted folder; every linted folder when none are
    given, or when a macro file is among them (a macro shapes the SQL of every model
    that calls it)."""
    if not paths:
        return list(LINTED_FOLDERS)
    folders = tuple(folder + "/" for folder in LINTED_FOLDERS)
    chosen = []
    for path in paths:
        # Relative paths are the repository's (pre-commit's), wherever this runs from.
        resolved = (PROJECT_DIR / path).resolve()
        if not resolved.is_relative_to(PROJECT_DIR):
            continue
        relative = resolved.relative_to(PROJECT_DIR).as_posix()
        if not relative.endswith(".sql"):
            continue
        if relative.startswith(MACRO_FOLDERS):
            return list(LINTED_FOLDERS)
        if relative.startswith(folders):
            chosen.append(relative)
    return chosen


def main(argv: list[str] | None = None) -> int:
    """Build into a scratch database, lint against it; SQLFluff's exit code."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="*", help="SQL files (default: every linted folder)")
    args = parser.parse_args(argv)
    paths = lintable(args.paths)
    if not paths:
        return 0
    with tempfile.TemporaryDirectory(prefix="lint-sql-") as scratch:
        work_dir = Path(scratch)
        command, env = dbt_build_process(
            work_dir, work_dir / "lint.duckdb", work_dir / "published", dbt_vars={}
        )
        built = subprocess.run(command, env=env, capture_output=True, text=True)
        if built.returncode != 0:
            print(built.stdout[-5000:], built.stderr[-5000:], sep="\n", file=sys.stderr)
            print("lint_sql: the build SQLFluff compiles against failed", file=sys.stderr)
            return built.returncode
        env = {**env, "DBT_TARGET_PATH": str(work_dir / "target"), "DBT_LOG_PATH": scratch}
        sqlfluff = str(Path(sys.executable).with_name("sqlfluff"))
        linted = subprocess.run(
            [sqlfluff, "lint", *paths],
            env=env,
            cwd=PROJECT_DIR,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        print(linted.stdout, end="")
        # SQLFluff skips a file dbt cannot compile with a warning and still exits 0:
        # a file nobody linted must not pass.
        if "Skipped file" in linted.stdout:
            print("lint_sql: SQLFluff skipped files it could not compile", file=sys.stderr)
            return linted.returncode or 1
        return linted.returncode


if __name__ == "__main__":
    sys.exit(main())
