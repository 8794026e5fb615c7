"""The quality sweep through a real build: a variant with fractional values and four
groups is found."""

from customer_segmentation.devtools.quality_sweep import (
    VARIANTS,
    run_variant,
)


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
