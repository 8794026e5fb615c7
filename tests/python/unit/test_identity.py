"""Stable segment ids across refits: matching, minting, retiring and names."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from customer_segmentation.in_dbt.identity import (
    assign_identities,
    fitted_centroids,
    match_centroids,
    previous_in_model_space,
    previous_segments,
)

MEANS = {"annual_income": 60.0, "spending_score": 50.0}
STDS = {"annual_income": 20.0, "spending_score": 25.0}
SIGNATURE = "annual_income numeric none weight 1; spending_score numeric none weight 1"
CENTRES = [(25, 20), (25, 80), (55, 50), (88, 82), (88, 17)]


def dimensions(signature: str = SIGNATURE) -> pd.DataFrame:
    """This fit's int_feature_statistics for two numeric features."""
    return pd.DataFrame(
        {
            "dimension_position": [1, 2],
            "dimension_name": ["annual_income_z", "spending_score_z"],
            "feature_name": ["annual_income", "spending_score"],
            "feature_kind": ["numeric", "numeric"],
            "category": [None, None],
            "transform": ["none", "none"],
            "feature_mean": [MEANS["annual_income"], MEANS["spending_score"]],
            "dimension_scale": [1 / STDS["annual_income"], 1 / STDS["spending_score"]],
            "feature_signature": signature,
        }
    )


def fitted(centres) -> pd.DataFrame:
    """The chosen fit's centroids in the model space, by candidate_segment."""
    frame = pd.DataFrame(
        {
            "annual_income_z": [
                (c[0] - MEANS["annual_income"]) / STDS["annual_income"] for c in centres
            ],
            "spending_score_z": [
                (c[1] - MEANS["spending_score"]) / STDS["spending_score"] for c in centres
            ],
        },
        index=pd.Index(np.arange(1, len(centres) + 1), name="candidate_segment"),
    )
    return frame


def named(names) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "candidate_segment": np.arange(1, len(names) + 1),
            "segment_name": names,
            "persona_name": names,
            "persona_summary": [f"about {name}" for name in names],
            "is_rule_named": True,
        }
    )


def registry_rows(centres, names, first_id, signature=SIGNATURE) -> pd.DataFrame:
    """The previous version's chosen rows of the registry (a segment x dimension each)."""
    rows = []
    for offset, (centre, name) in enumerate(zip(centres, names, strict=True)):
        for feature, value in zip(["annual_income", "spending_score"], centre, strict=True):
            rows.append(
                {
                    "segment_id": first_id + offset,
                    "feature_name": feature,
                    "feature_kind": "numeric",
                    "category": None,
                    "centroid_original": float(value),
                    "feature_signature": signature,
                    "segment_name": name,
                    "persona_name": name,
                    "persona_summary": f"about {name}",
                    "is_rule_named": True,
                }
            )
    return pd.DataFrame(rows)


def previous(centres, names, first_id=1, signature=SIGNATURE):
    return previous_segments(registry_rows(centres, names, first_id, signature), dimensions())


def test_first_fit_numbers_segments_in_candidate_order():
    result = assign_identities(fitted(CENTRES), named(list("ABCDE")), None, 0.5, next_id=1)
    assert result.segment_id.tolist() == [1, 2, 3, 4, 5]
    assert (result.identity_status == "new").all()
    assert result.match_distance.isna().all()


def test_a_renumbered_refit_keeps_every_id_and_name():
    before = previous(CENTRES, list("ABCDE"))
    # K-Means numbered the same segments differently and they moved a little.
    shuffled = [CENTRES[index] for index in (3, 0, 4, 2, 1)]
    moved = [(income + 1.0, spending - 1.0) for income, spending in shuffled]
    result = assign_identities(fitted(moved), named(list("vwxyz")), before, 0.5, next_id=6)
    assert result.segment_id.tolist() == [4, 1, 5, 3, 2]
    assert result.segment_name.tolist() == ["D", "A", "E", "C", "B"]
    assert result.persona_summary.tolist() == [f"about {name}" for name in "DAECB"]
    assert (result.identity_status == "kept").all()
    assert np.allclose(result.match_distance, np.hypot(1 / 20, 1 / 25))


def test_a_genuinely_new_segment_gets_a_never_used_id_and_the_lost_one_is_not_reused():
    before = previous(CENTRES, list("ABCDE"))
    # Segment 3 (55, 50) is gone; a new one appears far from every previous centroid.
    centres = [c for c in CENTRES if c != (55, 50)] + [(150, 95)]
    result = assign_identities(fitted(centres), named(list("vwxyz")), before, 0.5, next_id=9)
    assert result.segment_id.tolist() == [1, 2, 4, 5, 9]
    assert result.identity_status.tolist() == ["kept"] * 4 + ["new"]
    assert result.segment_name.tolist() == ["A", "B", "D", "E", "z"]


def test_a_match_beyond_the_threshold_is_a_new_segment():
    before = previous([(25, 20)], ["A"])
    moved = fitted([(25 + 20 * 0.6, 20)])  # 0.6 sd away
    result = assign_identities(moved, named(["A"]), before, 0.5, next_id=2)
    assert result.segment_id.tolist() == [2]
    # Its fresh name is taken by nobody kept, so it stays as it is.
    assert result.segment_name.tolist() == ["A"]
    kept = assign_identities(moved, named(["A"]), before, 0.7, next_id=2)
    assert kept.segment_id.tolist() == [1]


def test_a_new_segment_whose_fresh_name_is_taken_adds_its_id():
    before = previous([(25, 20), (88, 82)], ["Frugal", "Affluent"])
    result = assign_identities(
        fitted([(25, 20), (88, 82), (60, 84)]),
        named(["Frugal", "Keen", "Affluent"]),
        before,
        0.5,
        next_id=3,
    )
    assert result.segment_name.tolist() == ["Frugal", "Affluent", "Affluent (segment 3)"]
    assert result.segment_name.is_unique


def test_the_assignment_is_optimal_not_greedy():
    # Greedy pairs the closest first (new 0 with previous 0, at 0.1) and is left with
    # new 1 and previous 1 at 2.0; the optimum (0.4 + 0.5) keeps both pairs close.
    distances = np.array([[0.1, 0.4], [0.5, 2.0]])
    assert match_centroids(distances, max_distance=5) == {0: 1, 1: 0}
    assert match_centroids(distances, max_distance=0.45) == {0: 1}


def test_models_on_other_features_start_a_new_lineage():
    other = "age numeric none weight 1; annual_income numeric none weight 1"
    assert previous(CENTRES, list("ABCDE"), signature=other) is None
    assert previous_segments(pd.DataFrame(), dimensions()) is None
    result = assign_identities(fitted(CENTRES), named(list("ABCDE")), None, 0.5, next_id=6)
    assert result.segment_id.tolist() == [6, 7, 8, 9, 10]


def test_previous_centroids_are_placed_with_todays_statistics():
    """A previous centroid is stored in the feature's own units and placed in this
    fit's model space: transformed, centred and scaled as this fit does it; a
    category's share scaled; a category it had no dimension for counts as 0."""
    rows = pd.DataFrame(
        {
            "segment_id": [7, 7, 7],
            "feature_name": ["balance", "plan", "plan"],
            "feature_kind": ["numeric", "categorical", "categorical"],
            "category": [None, "basic", "premium"],
            "centroid_original": [np.expm1(3.0), 0.25, 0.75],
        }
    )
    today = pd.DataFrame(
        {
            "dimension_name": ["balance_z", "plan__1", "plan__2", "plan__3"],
            "feature_name": ["balance", "plan", "plan", "plan"],
            "feature_kind": ["numeric", "categorical", "categorical", "categorical"],
            "category": [None, "premium", "basic", "gold"],
            "transform": ["log", "none", "none", "none"],
            "feature_mean": [2.0, None, None, None],
            "dimension_scale": [0.5, 0.7, 0.7, 0.7],
        }
    )
    placed = previous_in_model_space(rows, today)
    assert placed.loc[7].tolist() == pytest.approx([0.5, 0.75 * 0.7, 0.25 * 0.7, 0.0])


def test_names_follow_todays_rules_when_not_kept():
    before = previous(CENTRES[:2], ["Old A", "Old B"])
    result = assign_identities(
        fitted(CENTRES[:2]), named(["New A", "New B"]), before, 0.5, 3, keep_names=False
    )
    assert result.segment_id.tolist() == [1, 2]
    assert result.segment_name.tolist() == ["New A", "New B"]
    assert result.persona_summary.tolist() == ["about New A", "about New B"]


def test_fitted_centroids_pivot_the_chosen_rows_in_dimension_order():
    candidates = pd.DataFrame(
        {
            "k": [2, 2, 2, 2, 3],
            "candidate_segment": [1, 1, 2, 2, 1],
            "dimension_name": ["b_z", "a_z", "b_z", "a_z", "b_z"],
            "centroid_value": [1.0, 2.0, 3.0, 4.0, 9.0],
            "is_selected_k": [True, True, True, True, False],
        }
    )
    wide = fitted_centroids(candidates)
    assert list(wide.columns) == ["b_z", "a_z"]
    assert wide.to_numpy().tolist() == [[1.0, 2.0], [3.0, 4.0]]
