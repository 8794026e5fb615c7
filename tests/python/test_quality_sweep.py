"""The quality sweep's parts, and one variant end to end on small data."""

import argparse

import pytest

from customer_segmentation.devtools.quality_sweep import (
    HEADERS,
    VARIANTS,
    VariantResult,
    parse_variants,
    render_markdown,
    run_variant,
)


def test_variants_are_named_uniquely_and_parse_by_name():
    names = [variant.name for variant in VARIANTS]
    assert len(set(names)) == len(names)
    assert [variant.name for variant in parse_variants("six_groups, benchmark")] == [
        "six_groups",
        "benchmark",
    ]
    with pytest.raises(argparse.ArgumentTypeError, match="unknown variant"):
        parse_variants("benchmark,nope")
    assert {variant.planted_k for variant in VARIANTS} == {4, 5, 6}


def test_table_shows_a_failed_variant_without_figures():
    failed = VariantResult("x", "y", 5, build_seconds=3.0, problem="dbt build failed")
    lines = render_markdown([failed]).splitlines()
    assert lines[0].count("|") == len(HEADERS) + 1
    assert lines[2] == "| x | y (dbt build failed) | 5 | - | - | - | - | 3.0 |"


def test_a_variant_with_fractional_values_and_four_groups_is_found(tmp_path):
    """One real build: fractional scores are rounded, not rejected, and the choice of k
    finds four planted groups where the notebook's fixed k = 5 cannot."""
    fractional, four = (
        next(v for v in VARIANTS if v.name == n) for n in ("fractional", "four_groups")
    )
    variant = type(four)("mixed", "four groups, fractional", 5, {**four.shape, **fractional.shape})
    result = run_variant(tmp_path, variant, 4_000)
    assert result.problem is None
    assert result.chosen_k == 4
    assert result.ari_build_vs_planted > 0.99
    assert result.ari_notebook_vs_planted < result.ari_build_vs_planted
