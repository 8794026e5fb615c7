"""The alternative algorithms (customer_segmentation.in_dbt.algorithms) on planted customers,
and their comparison table in the default build."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import adjusted_rand_score

from customer_segmentation.devtools.planted import PLANTED_GROUPS, planted_customers
from customer_segmentation.in_dbt.algorithms import (
    ALGORITHMS,
    COMPARISON_COLUMNS,
    QUADRATIC_ROW_LIMIT,
    _metrics,
    algorithm_comparison,
    cluster,
    compare_algorithms,
    comparison_rows,
    dbscan_eps,
    dbscan_min_samples,
    parse_algorithm,
    parse_comparison_sample_size,
    selected_k,
)
from customer_segmentation.in_dbt.metrics import SampledSilhouette
from customer_segmentation.in_dbt.settings import FitSettings, SettingsError

PLANTED_K = len(PLANTED_GROUPS)


def planted_matrix(row_count: int = 1000, seed: int = 7) -> tuple[np.ndarray, np.ndarray]:
    """Standardised income and spending of planted customers, and their planted group."""
    customers = planted_customers(row_count, seed)
    values = customers[["Annual Income (k$)", "Spending Score (1-100)"]].to_numpy(float)
    return (values - values.mean(axis=0)) / values.std(axis=0), customers.planted_segment.to_numpy()


@pytest.fixture(scope="module")
def planted() -> tuple[np.ndarray, np.ndarray]:
    return planted_matrix()


@pytest.mark.parametrize("algorithm", ["kmeans", "gmm", "ward"])
def test_k_based_algorithms_recover_the_planted_groups(planted, algorithm):
    features, truth = planted
    result = cluster(algorithm, features, PLANTED_K, random_state=0, n_init=3)
    assert result.algorithm == algorithm
    assert adjusted_rand_score(truth, result.labels) > 0.99
    assert result.centres.shape == (PLANTED_K, 2)
    assert result.segment_count == PLANTED_K and result.noise_share == 0.0
    # Centres are numbered like the labels: each is its own members' centre.
    for position, centre in enumerate(result.centres):
        assert np.abs(features[result.labels == position].mean(axis=0) - centre).max() < 0.05


def test_dbscan_finds_the_planted_groups_itself_and_sets_noise_apart(planted):
    features, truth = planted
    result = cluster("dbscan", features, k=2, random_state=0, n_init=3)  # k is ignored
    kept = result.labels >= 0
    assert result.segment_count == PLANTED_K
    assert 0 < result.noise_share < 0.1
    assert adjusted_rand_score(truth[kept], result.labels[kept]) > 0.99
    # Noise has no centre: one row per cluster, each its members' mean.
    assert result.centres.shape == (PLANTED_K, 2)
    for position, centre in enumerate(result.centres):
        assert np.allclose(features[result.labels == position].mean(axis=0), centre)
    assert "min_samples=7" in result.parameters  # ceil(ln 1000) = 7 > 2 x 2 features


def test_dbscan_labels_outliers_minus_one():
    rng = np.random.default_rng(0)
    blobs = np.vstack([rng.normal(centre, 0.05, (100, 2)) for centre in ((0, 0), (3, 3))])
    outliers = np.array([[10.0, -10.0], [-10.0, 10.0]])
    result = cluster("dbscan", np.vstack([blobs, outliers]), 2, 0, 1)
    assert result.labels[-2:].tolist() == [-1, -1]
    assert result.segment_count == 2 and result.centres.shape == (2, 2)
    # The two far rows are noise, and at most a few blob rows on the blobs' edges.
    assert 2 / 202 <= result.noise_share < 0.03


def test_dbscan_eps_is_the_knee_of_the_k_distance_curve():
    # 4 rows 0.1 apart on a line, then a far row: the far row's k-distance is the jump.
    features = np.array([[0.0, 0.0], [0.1, 0.0], [0.2, 0.0], [0.3, 0.0], [5.0, 0.0]])
    assert dbscan_eps(features, 2) == pytest.approx(0.1)
    # Exact duplicates alone give a positive eps all the same.
    duplicates = np.array([[0.0, 0.0]] * 4 + [[1.0, 1.0]])
    assert dbscan_eps(duplicates, 2) > 0
    assert dbscan_min_samples(100, 2) == 5 and dbscan_min_samples(10, 3) == 6


@pytest.mark.parametrize("algorithm", ALGORITHMS)
def test_same_input_and_random_state_give_the_same_clusters(planted, algorithm):
    features, _ = planted
    first = cluster(algorithm, features, PLANTED_K, random_state=3, n_init=2)
    second = cluster(algorithm, features.copy(), PLANTED_K, random_state=3, n_init=2)
    np.testing.assert_array_equal(first.labels, second.labels)
    np.testing.assert_array_equal(first.centres, second.centres)


@pytest.mark.parametrize("algorithm", ["ward", "dbscan"])
def test_quadratic_algorithms_refuse_more_rows_than_the_limit(algorithm):
    too_many = np.zeros((QUADRATIC_ROW_LIMIT + 1, 2))
    with pytest.raises(SettingsError, match=f"{algorithm} is quadratic in rows"):
        cluster(algorithm, too_many, 3, 0, 1)


def test_a_k_the_rows_cannot_hold_is_refused():
    with pytest.raises(SettingsError, match="2 <= k <= rows - 1"):
        cluster("kmeans", np.zeros((3, 2)), 3, 0, 1)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, "kmeans"),
        ("", "kmeans"),
        ("   ", "kmeans"),
        ("kmeans", "kmeans"),
        (" GMM ", "gmm"),
        ("Ward", "ward"),
        ("DBSCAN\n", "dbscan"),
    ],
)
def test_parse_algorithm_accepts_known_names_in_any_case(value, expected):
    assert parse_algorithm(value) == expected


@pytest.mark.parametrize(
    "value", ["k-means", "spectral", "kmeans; drop table customers", "' or 1=1 --", 3, ["gmm"]]
)
def test_parse_algorithm_refuses_anything_else_naming_the_choices(value):
    with pytest.raises(SettingsError, match="must be one of kmeans, gmm, ward, dbscan"):
        parse_algorithm(value)


@pytest.mark.parametrize(("value", "expected"), [(None, 3000), ("100", 100), (10000, 10000)])
def test_comparison_sample_size_is_checked(value, expected):
    assert parse_comparison_sample_size(value) == expected


@pytest.mark.parametrize("value", [99, 10001, 250.5, "many", True])
def test_comparison_sample_size_outside_its_range_is_refused(value):
    with pytest.raises(SettingsError, match="from 100 to 10000"):
        parse_comparison_sample_size(value)


def test_comparison_rows_are_a_fixed_sorted_subset():
    assert comparison_rows(5, 10, 0).tolist() == [0, 1, 2, 3, 4]
    rows = comparison_rows(1000, 100, 42)
    assert len(rows) == 100 and len(set(rows)) == 100 and (np.diff(rows) > 0).all()
    np.testing.assert_array_equal(rows, comparison_rows(1000, 100, 42))


def test_compare_algorithms_gives_one_row_each_on_the_same_bounded_rows(planted):
    features, _ = planted
    frame = compare_algorithms(
        features, PLANTED_K, random_state=0, n_init=2, silhouette_sample_size=300, row_limit=600
    )
    assert frame.algorithm.tolist() == list(ALGORITHMS)
    assert set(COMPARISON_COLUMNS) <= set(frame.columns)
    by_algorithm = frame.set_index("algorithm")
    assert by_algorithm.at["kmeans", "adjusted_rand_vs_kmeans"] == 1.0
    assert frame.is_default.tolist() == [True, False, False, False]
    assert set(frame.row_count) == {600}
    assert (frame.adjusted_rand_vs_kmeans > 0.9).all()
    assert (frame.silhouette > 0.6).all() and (frame.fit_seconds >= 0).all()
    assert (by_algorithm.noise_share.drop("dbscan") == 0).all()
    assert by_algorithm.at["dbscan", "segment_count"] == PLANTED_K
    assert "searched" in by_algorithm.at["dbscan", "algorithm_parameters"]
    again = compare_algorithms(features, PLANTED_K, 0, 2, 300, 600)
    columns = [column for column in frame.columns if column != "fit_seconds"]
    pd.testing.assert_frame_equal(frame[columns], again[columns])


def test_compare_algorithms_refuses_a_row_limit_past_the_quadratic_one(planted):
    with pytest.raises(SettingsError, match="at most 10,000 rows"):
        compare_algorithms(planted[0], PLANTED_K, 0, 1, 300, QUADRATIC_ROW_LIMIT + 1)


def test_the_comparison_shows_dbscan_at_the_knee_where_the_search_finds_no_structure():
    rng = np.random.default_rng(1)
    features = rng.normal(0, 0.01, (200, 2))  # one tight blob
    frame = compare_algorithms(features, 2, 0, 1, 300, 200).set_index("algorithm")
    assert "search found no density structure" in frame.at["dbscan", "algorithm_parameters"]
    assert "k-distance knee" in frame.at["dbscan", "algorithm_parameters"]


def test_metrics_are_null_when_fewer_than_two_segments_remain():
    features = np.random.default_rng(1).normal(0, 1, (50, 2))
    labels = np.where(np.arange(50) < 45, 0, -1)  # one cluster and noise
    shared = SampledSilhouette(features, 300, 0)
    assert np.isnan(_metrics(features, labels, shared)).all()


def test_the_model_frame_does_not_depend_on_row_order(planted):
    features, _ = planted
    sample = pd.DataFrame(features, columns=["annual_income_z", "spending_score_z"])
    sample.insert(0, "customer_id", np.arange(1, len(sample) + 1))
    settings = FitSettings(n_init=2, silhouette_sample_size=300)
    first = algorithm_comparison(sample, PLANTED_K, settings, 400)
    second = algorithm_comparison(sample.iloc[::-1], PLANTED_K, settings, 400)
    columns = [column for column in first.columns if column != "fit_seconds"]
    pd.testing.assert_frame_equal(first[columns], second[columns])
    assert set(first.dimension_count) == {2}
    assert set(first.k) == {PLANTED_K} and set(first.sample_row_count) == {len(sample)}


def test_selected_k_is_the_one_marked_k():
    fitted = pd.DataFrame({"k": [2, 2, 3, 3, 3], "is_selected_k": [False] * 2 + [True] * 3})
    assert selected_k(fitted) == 3
    with pytest.raises(ValueError, match="exactly one selected k"):
        selected_k(fitted.assign(is_selected_k=False))
