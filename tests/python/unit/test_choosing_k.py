"""Choosing the number of segments: the gap statistic, the three rules, DBSCAN's own
parameters, and K-Means reaching every cluster of the clustering basic benchmark.

The pure functions are checked against computations written here; the rules and DBSCAN
also through real `dbt build` runs, on planted data and on the public files in
../shared/data (skipped where that folder is absent)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.cluster import KMeans

from customer_segmentation.devtools.planted import planted_customers
from customer_segmentation.in_dbt.algorithms import cluster, dbscan_parameters
from customer_segmentation.in_dbt.clustering import (
    fit_candidate,
    fit_segment_candidates,
    gap_statistic,
    swap_refined,
)
from customer_segmentation.in_dbt.settings import FitSettings, SettingsError
from helpers.point_sets import SIPU_SETS, centroid_index, sipu


def blobs(centres, per_group: int, spread: float, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return np.vstack([rng.normal(centre, spread, (per_group, len(centre))) for centre in centres])


def sample_frame(matrix: np.ndarray) -> pd.DataFrame:
    frame = pd.DataFrame(matrix, columns=[f"x{i}_z" for i in range(matrix.shape[1])])
    frame.insert(0, "customer_id", np.arange(1, len(frame) + 1))
    return frame


def per_k(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.drop_duplicates("k").set_index("k")


# --- the gap statistic -------------------------------------------------------------


def independent_gap(features, ks, reference_count, seed, n_init):
    """Tibshirani, Walther and Hastie's gap, written out again: W_k is the pooled
    within-cluster sum of squares (k = 1: around the mean); references are uniform in
    the bounding box, drawn in the same order from the same seed."""

    def dispersion(rows, k):
        if k == 1:
            return ((rows - rows.mean(axis=0)) ** 2).sum()
        return KMeans(n_clusters=k, n_init=n_init, random_state=seed).fit(rows).inertia_

    rng = np.random.default_rng(seed)
    low, high = features.min(axis=0), features.max(axis=0)
    logs = np.zeros((reference_count, len(ks)))
    for b in range(reference_count):
        reference = low + rng.random(features.shape) * (high - low)
        for i, k in enumerate(ks):
            logs[b, i] = np.log(dispersion(reference, k))
    observed = np.log([dispersion(features, k) for k in ks])
    gap = logs.mean(axis=0) - observed
    s = np.sqrt(((logs - logs.mean(axis=0)) ** 2).mean(axis=0)) * np.sqrt(1 + 1 / reference_count)
    return gap, s


def test_gap_statistic_equals_an_independent_computation():
    features = blobs([(0, 0), (4, 0), (0, 4)], 60, 0.5)
    features = (features - features.mean(axis=0)) / features.std(axis=0)
    ks = [1, 2, 3, 4, 5]
    inertias = {
        k: KMeans(n_clusters=k, n_init=3, random_state=7).fit(features).inertia_ for k in ks[1:]
    }
    measured = gap_statistic(
        features,
        inertias,
        6,
        7,
        lambda rows, k: KMeans(n_clusters=k, n_init=3, random_state=7).fit(rows).inertia_,
    )
    expected_gap, expected_s = independent_gap(features, ks, 6, 7, 3)
    assert measured.ks == tuple(ks)
    np.testing.assert_allclose(measured.gap, expected_gap, rtol=1e-10)
    np.testing.assert_allclose(measured.standard_error, expected_s, rtol=1e-10)
    # Three well separated groups: the first k with gap(k) >= gap(k+1) - s(k+1).
    first = next(
        k
        for i, k in enumerate(ks[:-1])
        if expected_gap[i] >= expected_gap[i + 1] - expected_s[i + 1]
    )
    assert measured.chosen_k() == first == 3


def test_each_rule_chooses_the_planted_k_and_the_table_says_which_chose():
    matrix = blobs([(0, 0), (6, 0), (0, 6), (6, 6)], 80, 0.6, seed=3)
    matrix = (matrix - matrix.mean(axis=0)) / matrix.std(axis=0)
    for rule in ("elbow_silhouette", "silhouette", "gap"):
        settings = FitSettings(k_min=2, k_max=8, n_init=3, k_rule=rule, gap_reference_count=5)
        frame = per_k(fit_segment_candidates(sample_frame(matrix), settings))
        assert frame.index[frame.is_selected_k].tolist() == [4]
        assert set(frame.k_rule) == {rule}
        assert (frame.elbow_silhouette_k == 4).all() and (frame.silhouette_k == 4).all()
        assert (frame.gap_k == 4).all() and (frame.gap_reference_count == 5).all()
        # gap(4) stands out: above gap(3) and at least gap(5) - s(5).
        gap, s = frame.gap_statistic, frame.gap_standard_error
        assert gap[4] > gap[3] and gap[4] >= gap[5] - s[5] and (s > 0).all()


def test_rules_can_disagree_and_a_fixed_k_is_said_so():
    # Mall-shaped planted groups: the elbow and the silhouette find the five, but the
    # gap(2) of uneven groups this close is below gap(1) - the Tibshirani rule's known
    # blind spot - so the gap rule would choose 1. The table records each.
    planted = planted_customers(1_500, seed=3)
    matrix = planted[["Annual Income (k$)", "Spending Score (1-100)"]].to_numpy(float)
    matrix = (matrix - matrix.mean(axis=0)) / matrix.std(axis=0)
    settings = FitSettings(k_max=8, n_init=3, gap_reference_count=5)
    frame = per_k(fit_segment_candidates(sample_frame(matrix), settings))
    assert frame.index[frame.is_selected_k].tolist() == [5]
    assert (frame.elbow_silhouette_k == 5).all() and (frame.silhouette_k == 5).all()
    assert (frame.gap_k == 1).all() and frame.gap_statistic.idxmax() == 5
    fixed = per_k(fit_segment_candidates(sample_frame(matrix), FitSettings(fixed_k=3, n_init=3)))
    assert set(fixed.k_rule) == {"fixed"} and fixed.index[fixed.is_selected_k].tolist() == [3]


def test_gap_rule_refuses_to_invent_segments_where_there_is_no_structure():
    rng = np.random.default_rng(11)
    matrix = rng.normal(0, 1, (400, 2))  # one round Gaussian group
    settings = FitSettings(k_max=6, n_init=3, k_rule="gap", gap_reference_count=8)
    with pytest.raises(SettingsError, match="gap finds no segment structure"):
        fit_segment_candidates(sample_frame(matrix), settings)
    # The other rules still choose; the table records that gap would have chosen 1.
    frame = per_k(fit_segment_candidates(sample_frame(matrix), FitSettings(k_max=6, n_init=3)))
    assert (frame.gap_k == 1).all()


def test_the_rule_var_is_checked():
    with pytest.raises(SettingsError, match="segment_k_rule must be one of"):
        FitSettings.from_config({"segment_k_rule": "largest"})
    assert FitSettings.from_config({"segment_k_rule": " GAP "}).k_rule == "gap"
    with pytest.raises(SettingsError, match="gap_reference_count must be between 1 and 100"):
        FitSettings.from_config({"gap_reference_count": 0})


# --- DBSCAN ------------------------------------------------------------------------


def test_dbscan_finds_planted_groups_and_calls_the_scattered_rows_noise():
    rng = np.random.default_rng(4)
    groups = blobs([(0, 0), (5, 0), (0, 5), (5, 5)], 150, 0.4, seed=4)
    scattered = rng.uniform(-3, 8, (30, 2))
    matrix = np.vstack([groups, scattered])
    result = cluster("dbscan", matrix, 2, 0, 1)
    assert result.segment_count == 4
    assert 0 < result.noise_share < 0.1
    assert (result.labels[-30:] == -1).mean() > 0.5  # most scattered rows are noise
    assert "searched" in result.parameters


def test_dbscan_fails_clearly_on_uniform_customers_and_takes_its_vars():
    uniform = np.random.default_rng(0).random((2_000, 2))
    with pytest.raises(SettingsError, match="dbscan finds no density structure"):
        dbscan_parameters(uniform)
    chosen = dbscan_parameters(uniform, min_samples=12, eps=0.05)
    assert (chosen.eps, chosen.min_samples, chosen.how) == (0.05, 12, "dbscan_eps var")
    with pytest.raises(SettingsError, match="dbscan_min_samples must be at least 2"):
        FitSettings.from_config({"dbscan_min_samples": 1})
    with pytest.raises(SettingsError, match="dbscan_eps must be above 0"):
        FitSettings.from_config({"dbscan_eps": -1})


# --- K-Means on the clustering basic benchmark ---------------------------------------


def test_swaps_recover_the_groups_plain_kmeans_misses():
    # Twenty groups on a grid, 5 sd apart: single K-Means starts often leave a group without
    # a centroid of its own; from each of those, the swaps find every group.
    centres = [(x, y) for x in range(0, 50, 10) for y in range(0, 40, 10)]
    matrix = blobs(centres, 30, 2.0, seed=1)
    truth = np.array(centres, dtype=float)
    missed = 0
    for seed in range(10):
        plain = fit_candidate(matrix, len(centres), seed, 1, 300, measure=False)
        refined = swap_refined(matrix, plain, seed)
        missed += centroid_index(plain.centroids, truth) > 0
        assert centroid_index(refined.centroids, truth) == 0
        assert refined.inertia <= plain.inertia
    assert missed >= 3


@pytest.mark.parametrize("name", sorted(SIPU_SETS))
def test_the_fit_finds_every_cluster_of_the_benchmark_at_the_true_k(name):
    data, truth, k = sipu(name)
    mean, std = data.mean(axis=0), data.std(axis=0)
    settings = FitSettings(fixed_k=k, k_min=2, k_max=2, stability_resample_count=0)
    frame = fit_segment_candidates(sample_frame((data - mean) / std), settings)
    chosen = frame[frame.is_selected_k].pivot(
        index="candidate_segment", columns="dimension_name", values="centroid_value"
    )
    assert centroid_index(chosen.to_numpy() * std + mean, truth) == 0
