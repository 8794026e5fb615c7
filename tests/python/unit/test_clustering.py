import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import silhouette_score

from customer_segmentation.in_dbt import metrics
from customer_segmentation.in_dbt.clustering import (
    choose_k,
    elbow_k,
    fit_candidate,
    fit_segment_candidates,
    outlier_thresholds,
    segment_order,
    selection_rows,
    stability_scores,
)
from customer_segmentation.in_dbt.metrics import SampledSilhouette
from customer_segmentation.in_dbt.settings import FitSettings, SettingsError


def planted_sample(centres, per_centre=60, spread=0.15, seed=0) -> pd.DataFrame:
    """Customers around known centres in a two-dimensional model space, as
    int_customers_sampled holds them: customer_id, then the model-space columns."""
    rng = np.random.default_rng(seed)
    points = np.vstack([rng.normal(centre, spread, size=(per_centre, 2)) for centre in centres])
    frame = pd.DataFrame(points, columns=["annual_income_z", "spending_score_z"])
    frame.insert(0, "customer_id", np.arange(1, len(frame) + 1))
    # Shuffled, as a database may return rows in any order.
    return frame.sample(frac=1, random_state=1).reset_index(drop=True)


def wide(frame: pd.DataFrame, selected_only: bool = True) -> pd.DataFrame:
    """The fit's long rows as one row per (k, candidate segment) and one column per
    dimension, plus the per-segment columns."""
    rows = frame[frame.is_selected_k] if selected_only else frame
    centroids = rows.pivot_table(
        index=["k", "candidate_segment"], columns="dimension_name", values="centroid_value"
    )
    per_segment = rows.drop(columns=["dimension_name", "centroid_value"]).drop_duplicates(
        ["k", "candidate_segment"]
    )
    return per_segment.merge(centroids.reset_index(), on=["k", "candidate_segment"]).sort_values(
        ["k", "candidate_segment"], ignore_index=True
    )


FIVE_CENTRES = [(-1.3, -1.2), (-1.3, 1.2), (0.0, 0.0), (1.1, -1.3), (1.1, 1.3)]


def test_segment_order_sorts_by_first_feature_then_the_next():
    centroids = np.array([[1.0, 0.0], [-1.0, 5.0], [-1.0, -5.0]])
    assert segment_order(centroids).tolist() == [2, 1, 0]


def test_elbow_is_the_largest_drop_below_the_chord():
    assert elbow_k([2, 3, 4, 5, 6], [100, 60, 20, 18, 16]) == 4
    assert elbow_k([2, 3], [10, 5]) == 2


def test_planted_segments_are_found_and_numbered_by_centroid():
    sample = planted_sample(FIVE_CENTRES)
    frame = fit_segment_candidates(sample, FitSettings(k_min=2, k_max=8, n_init=4))
    selected = wide(frame)
    assert selected.k.unique().tolist() == [5]
    centroids = selected[["annual_income_z", "spending_score_z"]].to_numpy()
    expected = np.array(sorted(FIVE_CENTRES))
    assert np.abs(centroids - expected).max() < 0.1
    assert selected.sample_customer_count.tolist() == [60] * 5
    # One row per k, segment and dimension, dimensions in the sample's order.
    assert frame.groupby("k").size().to_dict() == {k: 2 * k for k in range(2, 9)}
    assert frame.dimension_name.unique().tolist() == ["annual_income_z", "spending_score_z"]


def test_fit_does_not_depend_on_row_order():
    sample = planted_sample(FIVE_CENTRES)
    settings = FitSettings(k_min=4, k_max=6, n_init=3)
    first = fit_segment_candidates(sample, settings)
    second = fit_segment_candidates(sample.iloc[::-1].reset_index(drop=True), settings)
    columns = ["k", "candidate_segment", "dimension_name", "centroid_value", "silhouette"]
    pd.testing.assert_frame_equal(first[columns], second[columns])


def test_k_is_chosen_on_the_selection_rows_and_the_chosen_k_refitted_on_all():
    sample = planted_sample(FIVE_CENTRES, per_centre=400)
    settings = FitSettings(k_min=3, k_max=7, n_init=3, selection_sample_size=500)
    frame = wide(fit_segment_candidates(sample, settings), selected_only=False)
    assert (frame.sample_row_count == 2000).all() and (frame.selection_row_count == 500).all()
    selected = frame[frame.is_selected_k]
    assert selected.k.unique().tolist() == [5]
    # The chosen k's centroids and counts cover the whole sample; the others only
    # the selection rows.
    assert selected.sample_customer_count.sum() == 2000
    assert (selected.centroid_row_count == 2000).all()
    others = frame[~frame.is_selected_k]
    assert (others.centroid_row_count == 500).all()
    assert others.groupby("k").sample_customer_count.sum().eq(500).all()
    # Same answer as fitting every k on everything, for the chosen k.
    full = wide(fit_segment_candidates(sample, FitSettings(k_min=5, k_max=5, n_init=3)))
    columns = ["annual_income_z", "spending_score_z"]
    assert np.allclose(selected[columns].to_numpy(), full[columns].to_numpy())


def test_selection_rows_are_a_fixed_subset():
    settings = FitSettings(selection_sample_size=100, random_state=3)
    first, second = selection_rows(1000, settings), selection_rows(1000, settings)
    assert len(first) == 100 and len(set(first)) == 100 and (np.diff(first) > 0).all()
    assert np.array_equal(first, second)
    assert np.array_equal(selection_rows(50, settings), np.arange(50))


def test_fixed_k_overrides_the_rule():
    sample = planted_sample(FIVE_CENTRES)
    frame = fit_segment_candidates(sample, FitSettings(k_min=2, k_max=3, fixed_k=5, n_init=2))
    assert sorted(frame.k.unique()) == [2, 3, 5]
    assert frame[frame.is_selected_k].k.unique().tolist() == [5]
    assert (frame.selection_method == "fixed").all()
    assert frame.centroid_value.notna().all()


def test_any_number_of_model_space_columns_is_clustered():
    """Nothing in the fit names a feature: it clusters every column but customer_id."""
    rng = np.random.default_rng(4)
    centres = rng.normal(0, 3, size=(4, 7))
    points = np.vstack([rng.normal(centre, 0.2, size=(50, 7)) for centre in centres])
    sample = pd.DataFrame(points, columns=[f"dimension_{i}" for i in range(7)])
    sample.insert(0, "customer_id", [f"C{i:05d}" for i in range(len(sample))])
    frame = fit_segment_candidates(sample, FitSettings(k_min=2, k_max=6, n_init=3))
    selected = wide(frame)
    assert selected.k.unique().tolist() == [4]
    found = selected[[f"dimension_{i}" for i in range(7)]].to_numpy()
    for centre in centres:
        assert np.linalg.norm(found - centre, axis=1).min() < 0.2


def test_metrics_are_in_their_ranges():
    fit = fit_candidate(
        planted_sample(FIVE_CENTRES)[["annual_income_z", "spending_score_z"]].to_numpy(),
        k=5,
        random_state=0,
        n_init=2,
        silhouette_sample_size=100,
    )
    assert 0.5 < fit.silhouette <= 1
    assert fit.davies_bouldin > 0 and fit.calinski_harabasz > 0 and fit.inertia > 0
    assert sorted(set(fit.labels)) == [0, 1, 2, 3, 4]


@pytest.mark.parametrize("row_count, sample_size", [(300, 3_000), (2_000, 500)])
def test_shared_distance_silhouette_equals_scikit_learns(row_count, sample_size):
    rng = np.random.default_rng(5)
    features = rng.normal(size=(row_count, 2))
    silhouette = SampledSilhouette(features, sample_size, random_state=7)
    labellings = [rng.integers(0, k, row_count) for k in (2, 3, 7)]
    # Segments of very different sizes, and a segment of one.
    labellings.append((features[:, 0] > 1.5).astype(int))
    lone = np.zeros(row_count, dtype=int)
    lone[silhouette.rows[0]] = 1  # a row of the measured subset
    labellings.append(lone)
    for labels in labellings:
        expected = silhouette_score(
            features,
            labels,
            sample_size=sample_size if row_count > sample_size else None,
            random_state=7,
        )
        assert silhouette.score(labels) == pytest.approx(expected, abs=1e-12)


@pytest.mark.parametrize("row_count, sample_size", [(300, 3_000), (2_000, 500)])
def test_restricted_silhouette_measures_the_subset_as_scikit_learn_does(row_count, sample_size):
    rng = np.random.default_rng(11)
    features = rng.normal(size=(row_count, 3))
    whole = SampledSilhouette(features, sample_size, random_state=3)
    kept = rng.random(row_count) < 0.6
    labels = rng.integers(0, 4, kept.sum())
    restricted = whole.restricted_to(kept)
    expected = silhouette_score(
        features[kept],
        labels,
        sample_size=sample_size if kept.sum() > sample_size else None,
        random_state=3,
    )
    assert restricted.score(labels) == pytest.approx(expected, abs=1e-12)
    # Measured on the whole set's distances when those cover every row.
    assert (restricted.distances is whole.distances) == (row_count <= sample_size)
    # The whole set's own measure is left as it was.
    all_labels = rng.integers(0, 3, row_count)
    assert whole.score(all_labels) == pytest.approx(
        silhouette_score(
            features,
            all_labels,
            sample_size=sample_size if row_count > sample_size else None,
            random_state=3,
        ),
        abs=1e-12,
    )


def test_silhouette_above_the_shared_limit_and_with_one_segment_falls_back(monkeypatch):
    monkeypatch.setattr(metrics, "SHARED_DISTANCE_ROW_LIMIT", 100)
    features = np.random.default_rng(3).normal(size=(400, 2))
    labels = (features[:, 0] > 0).astype(int)
    silhouette = SampledSilhouette(features, 200, random_state=1)
    assert silhouette.distances is None
    expected = silhouette_score(features, labels, sample_size=200, random_state=1)
    assert silhouette.score(labels) == expected
    with pytest.raises(ValueError, match="Number of labels"):
        SampledSilhouette(features, 300, random_state=1).score(np.zeros(400, dtype=int))


def test_choose_k_prefers_the_best_silhouette_next_to_the_elbow():
    class Fit:
        def __init__(self, k, inertia, silhouette):
            self.k, self.inertia, self.silhouette = k, inertia, silhouette

    fits = [Fit(2, 100, 0.3), Fit(3, 40, 0.5), Fit(4, 30, 0.55), Fit(5, 25, 0.4), Fit(6, 22, 0.7)]
    # Elbow is 3; within +/-1 of it, k=4 has the best silhouette; k=6 is too far.
    assert elbow_k([f.k for f in fits], [f.inertia for f in fits]) == 3
    assert choose_k(fits) == 4
    assert choose_k(fits, fixed_k=6) == 6


@pytest.mark.public_data
def test_rule_lands_on_the_five_known_segments_of_the_public_mall_data():
    from helpers.dbt_runs import public_mall_file

    raw = pd.read_csv(public_mall_file("Mall_Customers.csv"))
    frame = pd.DataFrame({"customer_id": raw.iloc[:, 0]})
    for name, column in zip(["annual_income", "spending_score"], raw.columns[3:5], strict=True):
        values = raw[column].astype(float)
        frame[f"{name}_z"] = (values - values.mean()) / values.std(ddof=0)
    result = fit_segment_candidates(frame, FitSettings())
    assert result[result.is_selected_k].k.unique().tolist() == [5]


def test_segments_level_on_the_first_feature_are_ordered_by_the_next():
    centroids = np.array([[-1.34, 1.2], [-1.30, -1.2], [0.0, 0.0]])
    assert segment_order(centroids).tolist() == [1, 0, 2]


def test_outlier_thresholds_are_tukey_fences_per_segment():
    distances = np.array([1.0, 2.0, 3.0, 4.0, 5.0, 10.0, 10.0])
    labels = np.array([0, 0, 0, 0, 0, 1, 1])
    thresholds = outlier_thresholds(distances, labels, k=3, multiplier=3.0)
    # Segment 0: q1 2, q3 4, fence 4 + 3 x 2; segment 1 has no spread; 2 no members.
    assert thresholds[:2].tolist() == [10.0, 10.0]
    assert np.isnan(thresholds[2])


def test_fit_reports_outlier_thresholds_and_stability_for_the_chosen_k():
    sample = planted_sample(FIVE_CENTRES)
    frame = fit_segment_candidates(sample, FitSettings(k_min=4, k_max=6, n_init=3))
    selected = frame[frame.is_selected_k]
    assert selected.outlier_distance_threshold.gt(0).all()
    assert frame[~frame.is_selected_k].outlier_distance_threshold.isna().all()
    # Planted, well separated segments: every bootstrap refit finds the same ones.
    assert frame.stability_resample_count.eq(5).all()
    assert frame.stability_ari_min.min() > 0.99


def test_stability_drops_when_there_are_no_segments_to_find():
    rng = np.random.default_rng(5)
    uniform = rng.uniform(-1, 1, size=(600, 2))
    reference = fit_candidate(uniform, 6, 42, 3, 3_000)
    scores = stability_scores(uniform, reference, FitSettings(n_init=3, stability_resample_count=4))
    assert len(scores) == 4 and scores.mean() < 0.9
    skipped = stability_scores(uniform, reference, FitSettings(stability_resample_count=0))
    assert len(skipped) == 0


@pytest.mark.parametrize("algorithm", ["gmm", "ward", "dbscan"])
def test_every_algorithm_finds_the_planted_segments_as_nearest_centres(algorithm):
    sample = planted_sample(FIVE_CENTRES)
    settings = FitSettings(k_min=3, k_max=7, n_init=3, algorithm=algorithm)
    frame = fit_segment_candidates(sample, settings)
    selected = wide(frame)
    assert selected.k.unique().tolist() == [5]
    assert set(frame.algorithm) == {algorithm}
    centroids = selected[["annual_income_z", "spending_score_z"]].to_numpy()
    assert np.abs(centroids - np.array(sorted(FIVE_CENTRES))).max() < 0.1
    # Members are counted by nearest centre, the rule SQL scores customers by; on
    # well separated segments the algorithm's own labels agree (DBSCAN's noise, a
    # group of its own in its labels, is scored into the nearest segment).
    assert selected.sample_customer_count.tolist() == [60] * 5
    assert selected.label_agreement.min() > (0.9 if algorithm == "dbscan" else 0.99)
    assert selected.stability_ari_min.min() > 0.95


def test_ward_and_dbscan_are_fitted_on_a_bounded_selection():
    settings = FitSettings(algorithm="ward", selection_sample_size=50_000)
    assert len(selection_rows(30_000, settings)) == 10_000
    assert len(selection_rows(30_000, FitSettings(selection_sample_size=50_000))) == 30_000


def test_dbscan_refuses_a_fixed_k_and_too_little_structure():
    with pytest.raises(SettingsError, match="segment_count cannot be used"):
        FitSettings(algorithm="dbscan", fixed_k=4).validate()
    single = pd.DataFrame(
        {
            "customer_id": np.arange(1, 101),
            "annual_income_z": np.zeros(100),
            "spending_score_z": np.zeros(100),
        }
    )
    with pytest.raises(SettingsError, match="choose another segment_algorithm"):
        fit_segment_candidates(single, FitSettings(algorithm="dbscan"))
