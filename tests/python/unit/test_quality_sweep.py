"""The quality sweep's parts, and one variant end to end on small data."""

import argparse

import pytest

from customer_segmentation.devtools.quality_sweep import (
    HEADERS,
    VARIANTS,
    VariantResult,
    parse_variants,
    render_markdown,
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
