"""Alternative clustering algorithms, compared with K-Means on the same rows.

Pure functions on numpy arrays and pandas frames: the dbt Python model
`segment_algorithm_comparison` calls `algorithm_comparison` and returns its frame. The
pipeline itself still segments with K-Means (customer_segmentation.in_dbt.clustering); this
module says how Gaussian mixtures, Ward's hierarchical clustering and DBSCAN would cut
the same customers, and how far they agree with K-Means.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

# Imported here, not inside the fits: threadpool_limits only reaches the thread pools of
# libraries already loaded when it is entered (see customer_segmentation.in_dbt.clustering).
from sklearn.cluster import DBSCAN, AgglomerativeClustering, KMeans
from sklearn.metrics import (
    adjusted_rand_score,
    calinski_harabasz_score,
    davies_bouldin_score,
)
from sklearn.mixture import GaussianMixture
from sklearn.neighbors import NearestNeighbors
from threadpoolctl import threadpool_limits

from customer_segmentation.in_dbt.metrics import SampledSilhouette
from customer_segmentation.in_dbt.settings import (
    ALGORITHMS,
    DEFAULT_ALGORITHM,
    FIT_THREADS,
    FitSettings,
    SettingsError,
    is_unset,
    parse_algorithm,
    whole_number,
)

__all__ = ["ALGORITHMS", "DEFAULT_ALGORITHM", "parse_algorithm"]  # re-exported
# Ward needs the n(n-1)/2 pairwise distances at once (10,000 rows: 50 million doubles,
# 400 MB) and DBSCAN's neighbourhoods grow with the square of the rows in dense data;
# above this many rows they are refused and the caller fits them on a sample.
QUADRATIC_ROW_LIMIT = 10_000
QUADRATIC_ALGORITHMS = ("ward", "dbscan")
# DBSCAN's eps is searched among these percentiles of the k-distance curve.
DBSCAN_EPS_PERCENTILES = tuple(range(50, 99, 2))
# Kaufman and Rousseeuw: a silhouette at or below 0.25 shows no substantial structure.
NO_STRUCTURE_SILHOUETTE = 0.25
# Uniform random sets DBSCAN's chosen eps must do better on than (see dbscan_parameters).
DBSCAN_REFERENCE_COUNT = 5
# algorithm_comparison_sample_size: rows the algorithms are compared on.
COMPARISON_SAMPLE_SIZE_LIMITS = (100, QUADRATIC_ROW_LIMIT)
DEFAULT_COMPARISON_SAMPLE_SIZE = 3_000
COMPARISON_COLUMNS = [
    "algorithm",
    "algorithm_parameters",
    "segment_count",
    "noise_share",
    "silhouette",
    "davies_bouldin",
    "calinski_harabasz",
    "adjusted_rand_vs_kmeans",
    "row_count",
    "fit_seconds",
    "is_default",
]


@dataclass(frozen=True)
class Clustering:
    """One algorithm's clusters of one feature matrix.

    `labels[i]` is the cluster of row i, numbered as scikit-learn numbered it; -1 marks
    DBSCAN's noise. `centres[j]` is cluster j's centre (K-Means centroid, Gaussian
    mixture mean, members' mean for Ward and DBSCAN); noise has none.
    """

    algorithm: str
    labels: np.ndarray  # (n_rows,) int64, -1 = noise
    centres: np.ndarray  # (n_clusters, n_features)
    fit_seconds: float
    parameters: str = ""  # what the algorithm was run with, for people reading the table
    # DBSCAN's (min_samples, eps), to refit with the same ones; None for the others.
    dbscan_settings: tuple[int, float] | None = None

    @property
    def segment_count(self) -> int:
        """Clusters that have at least one member (noise is not a cluster)."""
        return int(np.unique(self.labels[self.labels >= 0]).size)

    @property
    def noise_share(self) -> float:
        return float(np.mean(self.labels < 0)) if self.labels.size else 0.0


def parse_comparison_sample_size(value: Any) -> int:
    """Validate algorithm_comparison_sample_size (null takes the default)."""
    if is_unset(value):
        return DEFAULT_COMPARISON_SAMPLE_SIZE
    low, high = COMPARISON_SAMPLE_SIZE_LIMITS
    return whole_number(value, "algorithm_comparison_sample_size", low=low, high=high)


def dbscan_min_samples(row_count: int, feature_count: int) -> int:
    """DBSCAN's min_samples: max(2 x features, ceil(ln rows)).

    Twice the dimension is the usual starting point for low-dimensional data; it is
    raised to the logarithm of the row count because with many customers on whole-
    number scores a handful of near-identical points form spurious micro-clusters
    (on 5,000 planted customers 2 x features gave 20-36 clusters, the log rule the 5
    planted ones).
    """
    return max(2 * feature_count, math.ceil(math.log(max(row_count, 2))))


def k_distances(features: np.ndarray, min_samples: int) -> np.ndarray:
    """Each row's k-distance, sorted: the distance to its (min_samples - 1)-th nearest
    other row, the smallest eps at which the row is a DBSCAN core point."""
    rows = len(features)
    if rows < 2:
        raise SettingsError(f"DBSCAN needs at least 2 rows, got {rows}")
    neighbours = min(min_samples, rows)
    distances, _ = NearestNeighbors(n_neighbors=neighbours).fit(features).kneighbors(features)
    return np.sort(distances[:, -1])


def dbscan_eps(features: np.ndarray, min_samples: int) -> float:
    """The knee of the k-distance curve, k = min_samples: the point lying furthest below
    the chord joining its ends with both axes scaled to [0, 1] (the construction
    clustering.elbow_k uses for the inertia curve). A knee of zero (mostly exact
    duplicates) becomes the smallest positive k-distance.

    The classic single guess at eps; `dbscan_parameters` searches instead, because on
    customers the knee often sits where every group has merged into one."""
    curve = k_distances(features, min_samples)
    rows = len(curve)
    span = curve[-1] - curve[0]
    if span <= 0:
        knee = float(curve[0])
    else:
        x = np.arange(rows) / (rows - 1)
        y = (curve - curve[0]) / span
        knee = float(curve[int(np.argmax(x - y))])
    if knee > 0:
        return knee
    positive = curve[curve > 0]
    # Every row identical: any eps puts them in one cluster.
    return float(positive[0]) if positive.size else 1.0


@dataclass(frozen=True)
class DbscanChoice:
    """The eps and min_samples DBSCAN runs with, and how they were found."""

    eps: float
    min_samples: int
    how: str  # "dbscan_eps var", or the search's score
    clustered_silhouette: float = float("nan")  # coverage-weighted, see dbscan_parameters
    segmentation_silhouette: float = float("nan")

    @property
    def parameters(self) -> str:
        return f"eps={self.eps:.4g} ({self.how}), min_samples={self.min_samples}"


def nearest_centre_labels(features: np.ndarray, centres: np.ndarray) -> np.ndarray:
    """Each row's nearest centre (ties to the lower position), as SQL scores customers."""
    squared = ((features[:, None, :] - centres[None, :, :]) ** 2).sum(axis=2)
    return squared.argmin(axis=1)


def without_fragments(labels: np.ndarray, min_samples: int) -> np.ndarray:
    """DBSCAN labels with every cluster of fewer than 2 x min_samples members turned
    into noise (-1) and the rest renumbered from 0 in order. A cluster that small is a
    fragment at the fringe of a dense region (a lone Gaussian blob breaks into a core
    and such fragments), not a segment."""
    sizes = np.bincount(labels[labels >= 0]) if (labels >= 0).any() else np.array([], int)
    kept = np.flatnonzero(sizes >= 2 * min_samples)
    mapping = np.full(len(sizes) + 1, -1)
    mapping[kept] = np.arange(len(kept))
    return np.where(labels >= 0, mapping[labels], -1)


def eps_search(
    features: np.ndarray, min_samples: int, silhouette_sample_size: int, random_state: int
) -> list[tuple[float, float, float, float]]:
    """(score, eps, clustered silhouette, segmentation silhouette) of every eps among
    DBSCAN_EPS_PERCENTILES of the k-distance curve that gives at least two clusters
    (see dbscan_parameters for the score)."""
    curve = k_distances(features, min_samples)
    candidates = sorted({float(np.percentile(curve, p)) for p in DBSCAN_EPS_PERCENTILES} - {0.0})
    whole = SampledSilhouette(features, silhouette_sample_size, random_state)
    scored = []
    for candidate in candidates:
        labels = without_fragments(
            DBSCAN(eps=candidate, min_samples=min_samples).fit_predict(features), min_samples
        )
        clustered = labels >= 0
        count = np.unique(labels[clustered]).size
        if count < 2 or count > clustered.sum() - 1:
            continue
        own = whole.restricted_to(clustered)
        clustered_score = own.score(labels[clustered]) * clustered.mean()
        assigned = nearest_centre_labels(features, member_means(features, labels))
        if np.unique(assigned).size < 2:
            continue
        segmentation_score = whole.score(assigned)
        score = (clustered_score + segmentation_score) / 2
        scored.append((score, candidate, clustered_score, segmentation_score))
    return scored


def dbscan_parameters(
    features: np.ndarray,
    min_samples: int | None = None,
    eps: float | None = None,
    silhouette_sample_size: int = 3_000,
    random_state: int = 0,
    reference_count: int = DBSCAN_REFERENCE_COUNT,
) -> DbscanChoice:
    """DBSCAN's eps and min_samples for `features`, deterministically.

    min_samples: as given, else `dbscan_min_samples`. eps: as given, else searched
    among DBSCAN_EPS_PERCENTILES of the k-distance curve (`k_distances`). Clusters of
    fewer than 2 x min_samples rows count as noise (`without_fragments`). Each eps that
    gives at least two clusters is scored by the mean of two silhouettes:
    - clustered: the silhouette of DBSCAN's own clusters (noise left out) times the
      share of rows they hold, so an eps that explains few customers scores low;
    - segmentation: the silhouette of the labelling customers get (every row to its
      nearest cluster centre, noise included).
    The highest score wins (ties to the smaller eps), among the eps whose clustered
    silhouette reaches NO_STRUCTURE_SILHOUETTE (Kaufman and Rousseeuw's bound for "no
    substantial structure"). Random points form clusters by chance too, so the winner
    must also beat the best score of the same search on each of `reference_count`
    (DBSCAN_REFERENCE_COUNT) uniform reference sets of as many rows in the same
    bounding box (drawn from `random_state`, as for the gap statistic). When nothing qualifies,
    the data has no density structure DBSCAN can find, and that is an error that says so.
    """
    rows, feature_count = features.shape
    min_samples = min_samples or dbscan_min_samples(rows, feature_count)
    if eps is not None:
        return DbscanChoice(eps, min_samples, "dbscan_eps var")
    scored = eps_search(features, min_samples, silhouette_sample_size, random_state)
    qualified = [each for each in scored if each[2] >= NO_STRUCTURE_SILHOUETTE]
    # Highest score; on a tie the smaller eps (the candidates come in ascending order).
    best = max(qualified, key=lambda each: (round(each[0], 12), -each[1]), default=None)
    reference_best = float("-inf")
    if best is not None:
        generator = np.random.default_rng(random_state)
        low, high = features.min(axis=0), features.max(axis=0)
        for _ in range(reference_count):
            reference = low + generator.random(features.shape) * (high - low)
            found = eps_search(reference, min_samples, silhouette_sample_size, random_state)
            reference_best = max([reference_best, *(each[0] for each in found)])
    if best is None or best[0] <= reference_best:
        if best is None:
            found = max((each[2] for each in scored), default=None)
            reason = (
                f"its clusters reach a coverage-weighted silhouette of {found:.3f} at best, "
                f"below {NO_STRUCTURE_SILHOUETTE}"
                if found is not None
                else "no eps gives two clusters"
            )
        else:
            reason = (
                f"its best score {best[0]:.3f} does not beat {reference_best:.3f}, the best "
                f"on {reference_count} sets of uniform random points in the same box"
            )
        raise SettingsError(
            f"dbscan finds no density structure in {rows:,} rows (min_samples={min_samples}, "
            f"eps searched between the {DBSCAN_EPS_PERCENTILES[0]}th and "
            f"{DBSCAN_EPS_PERCENTILES[-1]}th percentile of the k-distances): {reason}; "
            "choose another segment_algorithm, or set dbscan_eps and dbscan_min_samples"
        )
    score, chosen, clustered_score, segmentation_score = best
    how = f"searched: score {score:.3f}"
    if reference_count:
        how += f", uniform reference best {reference_best:.3f}"
    return DbscanChoice(
        chosen,
        min_samples,
        how,
        clustered_score,
        segmentation_score,
    )


def member_means(features: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """Mean of each cluster's members, cluster 0 first; noise (-1) is left out."""
    count = int(labels.max()) + 1 if labels.size and labels.max() >= 0 else 0
    return np.array(
        [features[labels == cluster].mean(axis=0) for cluster in range(count)],
        dtype=np.float64,
    ).reshape(count, features.shape[1])


def cluster(
    algorithm: str,
    features: np.ndarray,
    k: int,
    random_state: int,
    n_init: int,
    min_samples: int | None = None,
    eps: float | None = None,
    silhouette_sample_size: int = 3_000,
    reference_count: int = DBSCAN_REFERENCE_COUNT,
) -> Clustering:
    """Cluster `features` (rows x features, standardised) with one algorithm.

    K-Means and the Gaussian mixture (full covariances) start `n_init` times from
    `random_state`; Ward cuts its tree at `k` clusters; DBSCAN ignores `k` and finds its
    own number of clusters, with `min_samples` and `eps` when given, else those of
    `dbscan_parameters` (which raises when it finds no density structure). The same input
    and random_state give the same labels. Ward and DBSCAN refuse more than
    QUADRATIC_ROW_LIMIT rows: sample first (see `comparison_rows`).
    """
    name = parse_algorithm(algorithm)
    matrix = np.asarray(features, dtype=np.float64)
    rows, feature_count = matrix.shape
    if name in QUADRATIC_ALGORITHMS and rows > QUADRATIC_ROW_LIMIT:
        raise SettingsError(
            f"{name} is quadratic in rows: at most {QUADRATIC_ROW_LIMIT:,} rows, got "
            f"{rows:,}; fit it on a sample "
            "(customer_segmentation.in_dbt.algorithms.comparison_rows)"
        )
    if name != "dbscan" and not 2 <= k <= rows - 1:
        raise SettingsError(f"{name} needs 2 <= k <= rows - 1, got k={k} for {rows} rows")
    started = time.perf_counter()
    dbscan_settings = None
    if name == "kmeans":
        model = KMeans(n_clusters=k, n_init=n_init, random_state=random_state)
        labels = model.fit_predict(matrix)
        centres = model.cluster_centers_
        parameters = f"k={k}, n_init={n_init}, random_state={random_state}"
    elif name == "gmm":
        model = GaussianMixture(
            n_components=k, covariance_type="full", n_init=n_init, random_state=random_state
        )
        labels = model.fit(matrix).predict(matrix)
        centres = model.means_
        parameters = f"k={k}, covariance_type=full, n_init={n_init}, random_state={random_state}"
    elif name == "ward":
        labels = AgglomerativeClustering(n_clusters=k, linkage="ward").fit_predict(matrix)
        centres = member_means(matrix, labels)
        parameters = f"k={k}, linkage=ward"
    else:
        choice = dbscan_parameters(
            matrix, min_samples, eps, silhouette_sample_size, random_state, reference_count
        )
        labels = without_fragments(
            DBSCAN(eps=choice.eps, min_samples=choice.min_samples).fit_predict(matrix),
            choice.min_samples,
        )
        centres = member_means(matrix, labels)
        parameters = choice.parameters
        dbscan_settings = (choice.min_samples, choice.eps)
    return Clustering(
        algorithm=name,
        labels=np.asarray(labels, dtype=np.int64),
        centres=np.asarray(centres, dtype=np.float64),
        fit_seconds=time.perf_counter() - started,
        parameters=parameters,
        dbscan_settings=dbscan_settings,
    )


def comparison_rows(row_count: int, limit: int, random_state: int) -> np.ndarray:
    """Positions of the rows the algorithms are compared on: all of them, or a fixed
    random subset of `limit`, in ascending order (as clustering.selection_rows)."""
    if row_count <= limit:
        return np.arange(row_count)
    generator = np.random.default_rng(random_state)
    return np.sort(generator.choice(row_count, limit, replace=False))


def _metrics(
    features: np.ndarray,
    labels: np.ndarray,
    silhouette_of_all_rows: SampledSilhouette,
) -> tuple[float, float, float]:
    """Silhouette, Davies-Bouldin, Calinski-Harabasz on the non-noise rows; NaN when
    fewer than two clusters (or fewer rows than silhouette needs) remain.
    `silhouette_of_all_rows` (built on `features`) measures them, or its restriction
    to the non-noise rows."""
    kept = labels >= 0
    members, member_labels = features[kept], labels[kept]
    clusters = np.unique(member_labels).size
    if clusters < 2 or clusters > len(members) - 1:
        return float("nan"), float("nan"), float("nan")
    # Silhouette is quadratic in rows: a fixed random subset when large, as in the fit.
    if kept.all():
        silhouette = silhouette_of_all_rows.score(member_labels)
    else:
        silhouette = silhouette_of_all_rows.restricted_to(kept).score(member_labels)
    return (
        silhouette,
        float(davies_bouldin_score(members, member_labels)),
        float(calinski_harabasz_score(members, member_labels)),
    )


def comparison_fit(
    name: str,
    features: np.ndarray,
    k: int,
    random_state: int,
    n_init: int,
    silhouette_sample_size: int,
    min_samples: int | None,
    eps: float | None,
) -> Clustering:
    """One algorithm's fit for the comparison. Where DBSCAN's search finds no density
    structure, the comparison still shows what DBSCAN does at the k-distance knee (the
    classic single guess), rather than leaving the row out. The comparison describes,
    it does not decide: DBSCAN's search here skips the uniform-reference check, which
    costs five more searches on every refit."""
    try:
        return cluster(
            name,
            features,
            k,
            random_state,
            n_init,
            min_samples,
            eps,
            silhouette_sample_size,
            reference_count=0,
        )
    except SettingsError:
        if name != "dbscan":
            raise
    min_samples = min_samples or dbscan_min_samples(*features.shape)
    knee = dbscan_eps(features, min_samples)
    fitted = cluster(name, features, k, random_state, n_init, min_samples, knee)
    return Clustering(
        fitted.algorithm,
        fitted.labels,
        fitted.centres,
        fitted.fit_seconds,
        f"eps={knee:.4g} (k-distance knee: the search found no density structure), "
        f"min_samples={min_samples}",
    )


def compare_algorithms(
    features: np.ndarray,
    k: int,
    random_state: int,
    n_init: int,
    silhouette_sample_size: int,
    row_limit: int,
    dbscan_min_samples_setting: int | None = None,
    dbscan_eps_setting: float | None = None,
) -> pd.DataFrame:
    """Fit every algorithm on the same rows and measure it; one row per algorithm.

    The rows are `comparison_rows(len(features), row_limit, random_state)`. Metrics are
    taken on the rows each algorithm did not call noise (silhouette on at most
    `silhouette_sample_size` of them); adjusted_rand_vs_kmeans compares all the rows'
    labels with K-Means' (DBSCAN's noise counting as one more group), so it is 1.0 for
    K-Means itself. Columns: COMPARISON_COLUMNS.
    """
    matrix = np.asarray(features, dtype=np.float64)
    if row_limit > QUADRATIC_ROW_LIMIT:
        raise SettingsError(
            f"the comparison fits Ward and DBSCAN: at most {QUADRATIC_ROW_LIMIT:,} rows, "
            f"got row_limit={row_limit:,}"
        )
    subset = matrix[comparison_rows(len(matrix), row_limit, random_state)]
    # One thread, as in clustering.fit_segment_candidates: on a shared machine the
    # default thread pools spin against other work.
    with threadpool_limits(limits=FIT_THREADS):
        fits = [
            comparison_fit(
                name,
                subset,
                k,
                random_state,
                n_init,
                silhouette_sample_size,
                dbscan_min_samples_setting,
                dbscan_eps_setting,
            )
            for name in ALGORITHMS
        ]
        reference = fits[0].labels
        # The algorithms that leave no row out are measured on one set of distances.
        silhouette_of_all_rows = SampledSilhouette(subset, silhouette_sample_size, random_state)
        rows = []
        for fit in fits:
            silhouette, davies_bouldin, calinski_harabasz = _metrics(
                subset, fit.labels, silhouette_of_all_rows
            )
            rows.append(
                {
                    "algorithm": fit.algorithm,
                    "algorithm_parameters": fit.parameters,
                    "segment_count": fit.segment_count,
                    "noise_share": fit.noise_share,
                    "silhouette": silhouette,
                    "davies_bouldin": davies_bouldin,
                    "calinski_harabasz": calinski_harabasz,
                    "adjusted_rand_vs_kmeans": float(adjusted_rand_score(reference, fit.labels)),
                    "row_count": len(subset),
                    "fit_seconds": fit.fit_seconds,
                    "is_default": fit.algorithm == DEFAULT_ALGORITHM,
                }
            )
    return pd.DataFrame(rows, columns=COMPARISON_COLUMNS)


def selected_k(fitted: pd.DataFrame) -> int:
    """The k the pipeline chose: the one k of int_segment_candidates_fitted's rows with
    is_selected_k."""
    chosen = fitted.loc[fitted["is_selected_k"].astype(bool), "k"].unique()
    if len(chosen) != 1:
        raise ValueError(f"expected exactly one selected k, got {sorted(chosen.tolist())}")
    return int(chosen[0])


def algorithm_comparison(
    sample: pd.DataFrame, k: int, settings: FitSettings, row_limit: int
) -> pd.DataFrame:
    """The comparison for the dbt model: `sample` is int_customers_sampled (customer_id
    and one column per model dimension), `k` the pipeline's chosen k.

    Rows are sorted by customer_id first, because the database returns them in no fixed
    order, so the same sample gives the same table on every build.
    """
    sample = sample.sort_values("customer_id", kind="stable").reset_index(drop=True)
    dimensions = [column for column in sample.columns if column != "customer_id"]
    matrix = sample[dimensions].to_numpy(np.float64)
    frame = compare_algorithms(
        matrix,
        k,
        settings.random_state,
        settings.n_init,
        settings.silhouette_sample_size,
        row_limit,
        settings.dbscan_min_samples,
        settings.dbscan_eps,
    )
    frame.insert(2, "dimension_count", len(dimensions))
    frame.insert(3, "k", k)
    frame.insert(frame.columns.get_loc("row_count") + 1, "sample_row_count", len(sample))
    return frame
