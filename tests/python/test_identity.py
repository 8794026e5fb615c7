"""Stable segment ids across refits: matching, minting, retiring and names."""

from __future__ import annotations

import numpy as np
import pandas as pd

from customer_segmentation.identity import (
    assign_identities,
    centroid_distances,
    match_centroids,
)

FEATURES = ["annual_income", "spending_score"]
STDS = {"annual_income": 20.0, "spending_score": 25.0, "age": 10.0}


def segments(centres, names=None, first_id=None, features="annual_income,spending_score"):
    """Segments at (income, spending) centres, as the fit or the registry gives them."""
    frame = pd.DataFrame(centres, columns=["centroid_annual_income", "centroid_spending_score"])
    frame["centroid_age"] = 40.0
    frame["candidate_segment"] = np.arange(1, len(frame) + 1)
    names = names or [f"persona {index}" for index in range(len(frame))]
    frame["segment_name"] = names
    frame["persona_name"] = names
    frame["persona_summary"] = [f"about {name}" for name in names]
    if first_id is not None:
        frame["segment_id"] = np.arange(first_id, first_id + len(frame))
        frame["clustering_features"] = features
    return frame


CENTRES = [(25, 20), (25, 80), (55, 50), (88, 82), (88, 17)]


def test_first_fit_numbers_segments_in_candidate_order():
    result = assign_identities(segments(CENTRES), None, FEATURES, STDS, 0.5, next_id=1)
    assert result.segment_id.tolist() == [1, 2, 3, 4, 5]
    assert (result.identity_status == "new").all()
    assert result.match_distance.isna().all()


def test_a_renumbered_refit_keeps_every_id_and_name():
    previous = segments(CENTRES, names=list("ABCDE"), first_id=1)
    # K-Means numbered the same segments differently and they moved a little.
    shuffled = [CENTRES[index] for index in (3, 0, 4, 2, 1)]
    moved = [(income + 1.0, spending - 1.0) for income, spending in shuffled]
    fitted = segments(moved, names=list("vwxyz"))
    result = assign_identities(fitted, previous, FEATURES, STDS, 0.5, next_id=6)
    assert result.segment_id.tolist() == [4, 1, 5, 3, 2]
    assert result.segment_name.tolist() == ["D", "A", "E", "C", "B"]
    assert result.persona_summary.tolist() == [f"about {name}" for name in "DAECB"]
    assert (result.identity_status == "kept").all()
    assert np.allclose(result.match_distance, np.hypot(1 / 20, 1 / 25))


def test_a_genuinely_new_segment_gets_a_never_used_id_and_the_lost_one_is_not_reused():
    previous = segments(CENTRES, names=list("ABCDE"), first_id=1)
    # Segment 3 (55, 50) is gone; a new one appears far from every previous centroid.
    fitted = segments([c for c in CENTRES if c != (55, 50)] + [(150, 95)], names=list("vwxyz"))
    result = assign_identities(fitted, previous, FEATURES, STDS, 0.5, next_id=9)
    assert result.segment_id.tolist() == [1, 2, 4, 5, 9]
    assert result.identity_status.tolist() == ["kept"] * 4 + ["new"]
    assert result.segment_name.tolist() == ["A", "B", "D", "E", "z"]


def test_a_match_beyond_the_threshold_is_a_new_segment():
    previous = segments([(25, 20)], names=["A"], first_id=1)
    fitted = segments([(25 + 20 * 0.6, 20)], names=["A"])  # 0.6 sd away
    result = assign_identities(fitted, previous, FEATURES, STDS, 0.5, next_id=2)
    assert result.segment_id.tolist() == [2]
    # Its fresh name is taken by nobody kept, so it stays as it is.
    assert result.segment_name.tolist() == ["A"]
    kept = assign_identities(fitted, previous, FEATURES, STDS, 0.7, next_id=2)
    assert kept.segment_id.tolist() == [1]


def test_a_new_segment_whose_fresh_name_is_taken_adds_its_id():
    previous = segments([(25, 20), (88, 82)], names=["Frugal", "Affluent"], first_id=1)
    fitted = segments([(25, 20), (88, 82), (60, 84)], names=["Frugal", "Keen", "Affluent"])
    result = assign_identities(fitted, previous, FEATURES, STDS, 0.5, next_id=3)
    assert result.segment_name.tolist() == ["Frugal", "Affluent", "Affluent (segment 3)"]
    assert result.segment_name.is_unique


def test_the_assignment_is_optimal_not_greedy():
    # Greedy pairs the closest first (new 0 with previous 0, at 0.1) and is left with
    # new 1 and previous 1 at 2.0; the optimum (0.4 + 0.5) keeps both pairs close.
    distances = np.array([[0.1, 0.4], [0.5, 2.0]])
    assert match_centroids(distances, max_distance=5) == {0: 1, 1: 0}
    assert match_centroids(distances, max_distance=0.45) == {0: 1}


def test_models_on_other_features_never_match():
    previous = segments(CENTRES, names=list("ABCDE"), first_id=1, features="age,annual_income")
    result = assign_identities(segments(CENTRES), previous, FEATURES, STDS, 0.5, next_id=6)
    assert result.segment_id.tolist() == [6, 7, 8, 9, 10]


def test_a_feature_without_spread_adds_no_distance():
    previous = segments([(25, 20)], first_id=1)
    fitted = segments([(25, 90)])
    distances = centroid_distances(previous, fitted, FEATURES, {**STDS, "spending_score": 0})
    assert distances.tolist() == [[0.0]]


def test_names_follow_todays_rules_when_not_kept():
    previous = segments(CENTRES[:2], names=["Old A", "Old B"], first_id=1)
    fitted = segments(CENTRES[:2], names=["New A", "New B"])
    result = assign_identities(fitted, previous, FEATURES, STDS, 0.5, 3, keep_names=False)
    assert result.segment_id.tolist() == [1, 2]
    assert result.segment_name.tolist() == ["New A", "New B"]
    assert result.persona_summary.tolist() == ["about New A", "about New B"]
