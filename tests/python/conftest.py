"""Fixtures shared by the tests (the helpers they use live in helpers/)."""

from __future__ import annotations

import pytest

from helpers.dbt_runs import DbtRun, run_dbt


@pytest.fixture(scope="session")
def default_build(tmp_path_factory) -> DbtRun:
    """One `dbt build` of the bundled seed, shared by the tests that only read it."""
    database = tmp_path_factory.mktemp("default_build") / "segmentation.duckdb"
    run = run_dbt(["build"], database)
    assert run.success, run.explain()
    return run
