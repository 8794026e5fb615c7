"""Which files the SQL lint hands to SQLFluff (pre-commit passes every staged file)."""

from __future__ import annotations

import pytest

from customer_segmentation.devtools.harness import PROJECT_DIR
from customer_segmentation.devtools.lint_sql import LINTED_FOLDERS, lintable


def test_without_paths_every_linted_folder_is_linted():
    assert lintable([]) == list(LINTED_FOLDERS)
    for folder in LINTED_FOLDERS:
        assert (PROJECT_DIR / folder).is_dir()


def test_only_sql_files_of_the_linted_folders_are_kept_relative_or_absolute():
    staged = [
        "models/staging/stg_input__customers.sql",
        str(PROJECT_DIR / "tests/singular/assert_exactly_one_k_selected.sql"),
        "analyses/choosing_k.sql",
        "models/staging/_staging__models.yml",
        "README.md",
        "models_old/x.sql",
        "/elsewhere/models/x.sql",
    ]
    chosen = lintable(staged)
    assert chosen == [
        "models/staging/stg_input__customers.sql",
        "tests/singular/assert_exactly_one_k_selected.sql",
        "analyses/choosing_k.sql",
    ]


def test_nothing_to_lint_when_no_staged_file_is_linted_sql():
    assert lintable(["README.md", "seeds/reference/rfm_segments.csv", "dbt_project.yml"]) == []


@pytest.mark.parametrize("macro_file", ["macros/numbers.sql", "tests/generic/unique_keys.sql"])
def test_a_changed_macro_lints_every_model_it_may_shape(macro_file):
    assert lintable(["models/marts/segments/segment_profiles.sql", macro_file]) == list(
        LINTED_FOLDERS
    )
