"""K-Means candidates, the choice of k, and deterministic segment ids.

Pure functions on numpy arrays and pandas frames: the dbt Python model
`int_segment_centroids_fitted` calls `fit_segment_candidates` and returns its frame.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
import pandas as pd

# Imported here, not inside the fit: threadpool_limits only reaches the thread pools of
# libraries already loaded when it is entered.
from sklearn.cluster import KMeans
from sklearn.metrics import (
    adjusted_rand_score,
    calinski_harabasz_score,
    davies_bouldin_score,
    silhouette_score,
)
from threadpoolctl import threadpool_limits

from customer_segmentation.settings import KNOWN_FEATURES, FitSettings

FIT_THREADS = 1
# How far from the elbow the silhouette may move the choice of k (see choose_k).
ELBOW_NEIGHBOURHOOD = 1
SELECTION_RULE = (
    "elbow of the inertia curve (largest drop below the chord from the smallest to the "
    f"largest k), then the highest silhouette within +/-{ELBOW_NEIGHBOURHOOD} of it; "
    "ties go to the smaller k"
)


@dataclass(frozen=True)
class CandidateFit:
    """One K-Means fit for one k, with segments already in their final order."""

    k: int
    centroids: np.ndarray  # (k, n_features), rows ordered by segment_order
    labels: np.ndarray  # 0-based positions into centroids
    inertia: float
    silhouette: float
    calinski_harabasz: float
    davies_bouldin: float
    fit_seconds: float


def segment_order(centroids: np.ndarray) -> np.ndarray:
    """Order centroids by their coordinates, first feature first.

    K-Means numbers clusters arbitrarily; sorting by the centroid makes segment 1 the
    one lowest on the first feature, so ids mean the same on every build. Coordinates
    are compared at 0.1 standard deviation first, so that two segments level on the
    first feature (say, both low income) are ordered by the next one rather than by
    noise; exact values only break the remaining ties.
    """
    coarse = np.round(centroids, 1)
    keys = [centroids[:, column] for column in reversed(range(centroids.shape[1]))]
    keys += [coarse[:, column] for column in reversed(range(centroids.shape[1]))]
    # np.lexsort sorts by its last key first.
    return np.lexsort(keys)


def fit_kmeans(
    features: np.ndarray,
    k: int,
    random_state: int,
    n_init: int,
    silhouette_sample_size: int,
    measure: bool = True,
) -> CandidateFit:
    """Fit K-Means for one k and measure it (unless `measure` is false: the metrics are
    then NaN); labels follow `segment_order`."""
    started = time.perf_counter()
    model = KMeans(n_clusters=k, n_init=n_init, random_state=random_state)
    raw_labels = model.fit_predict(features)
    order = segment_order(model.cluster_centers_)
    position = np.empty(k, dtype=np.int64)
    position[order] = np.arange(k)
    labels = position[raw_labels]
    if not measure:
        silhouette = calinski_harabasz = davies_bouldin = float("nan")
    else:
        # Silhouette is quadratic in rows: measure it on a fixed random subset when large.
        sample_size = silhouette_sample_size if len(features) > silhouette_sample_size else None
        silhouette = float(
            silhouette_score(features, labels, sample_size=sample_size, random_state=random_state)
        )
        calinski_harabasz = float(calinski_harabasz_score(features, labels))
        davies_bouldin = float(davies_bouldin_score(features, labels))
    return CandidateFit(
        k=k,
        centroids=model.cluster_centers_[order],
        labels=labels,
        inertia=float(model.inertia_),
        silhouette=silhouette,
        calinski_harabasz=calinski_harabasz,
        davies_bouldin=davies_bouldin,
        fit_seconds=time.perf_counter() - started,
    )


def elbow_k(ks: list[int], inertias: list[float]) -> int:
    """The k whose inertia lies furthest below the chord joining the curve's ends.

    Both axes are scaled to [0, 1] first (the Kneedle construction), so the answer
    does not depend on the units of inertia.
    """
    if len(ks) < 3:
        return ks[0]
    x = (np.asarray(ks, dtype=float) - ks[0]) / (ks[-1] - ks[0])
    y = np.asarray(inertias, dtype=float)
    span = y[0] - y[-1]
    if span <= 0:
        return ks[0]
    y = (y - y[-1]) / span
    drop_below_chord = (1.0 - x) - y
    return ks[int(np.argmax(drop_below_chord))]


def choose_k(fits: list[CandidateFit], fixed_k: int | None = None) -> int:
    """Apply SELECTION_RULE, or return the fixed k."""
    if fixed_k is not None:
        return fixed_k
    fits = sorted(fits, key=lambda fit: fit.k)
    elbow = elbow_k([fit.k for fit in fits], [fit.inertia for fit in fits])
    near_elbow = [fit for fit in fits if abs(fit.k - elbow) <= ELBOW_NEIGHBOURHOOD]
    best = max(near_elbow, key=lambda fit: (round(fit.silhouette, 12), -fit.k))
    return best.k


def outlier_thresholds(distances: np.ndarray, labels: np.ndarray, k: int, multiplier: float):
    """Per segment, the distance beyond which a member is an outlier: Tukey's fence
    q3 + multiplier * (q3 - q1) over the members' distances to their centroid.

    Computed on the fitted sample and kept with the model, so scoring without a refit
    applies the same rule. A segment with no members gets NaN (nobody is assigned to it).
    """
    thresholds = np.full(k, np.nan)
    for position in range(k):
        members = distances[labels == position]
        if len(members):
            q1, q3 = np.quantile(members, [0.25, 0.75])
            thresholds[position] = q3 + multiplier * (q3 - q1)
    return thresholds


def stability_scores(
    features: np.ndarray, reference: CandidateFit, settings: FitSettings
) -> np.ndarray:
    """Adjusted Rand index between `reference`'s labels and refits of the same k on
    bootstrap resamples of `features` (each with its own seed), every refit predicting
    all of `features`. Near 1: the segments do not hinge on which customers were drawn.
    """
    scores = []
    for resample in range(settings.stability_resample_count):
        seed = settings.random_state + 1 + resample
        rows = np.random.default_rng(seed).integers(0, len(features), len(features))
        model = KMeans(n_clusters=reference.k, n_init=settings.n_init, random_state=seed)
        model.fit(features[rows])
        scores.append(adjusted_rand_score(reference.labels, model.predict(features)))
    return np.asarray(scores, dtype=float)


def selection_rows(row_count: int, settings: FitSettings) -> np.ndarray:
    """Positions of the rows k is chosen on: all of them, or a fixed random subset.

    Choosing k needs a fit for every candidate; the curves it reads (inertia per row,
    silhouette) settle long before the centroids stop moving, so the candidates are
    fitted on at most `selection_sample_size` rows and only the chosen k on all of
    the sample.
    """
    if row_count <= settings.selection_sample_size:
        return np.arange(row_count)
    generator = np.random.default_rng(settings.random_state)
    return np.sort(generator.choice(row_count, settings.selection_sample_size, replace=False))


def fit_segment_candidates(sample: pd.DataFrame, settings: FitSettings) -> pd.DataFrame:
    """Fit every candidate k, choose one, and describe the centroids of each.

    `sample` holds one row per sampled customer: `customer_id` and one `<feature>_z`
    column per known feature. Candidates are fitted and measured on the selection rows
    (see `selection_rows`); the chosen k is then fitted again on the whole sample
    when that is larger, and its centroids are the ones returned for it. Returns one
    row per candidate k and segment (`candidate_segment`, numbered by segment_order),
    with that k's metrics repeated on each of its rows and `is_selected_k` marking the
    choice. The chosen k's rows also carry each segment's outlier distance threshold
    (see `outlier_thresholds`), and every row the chosen k's stability over bootstrap
    refits (see `stability_scores`). Centroids are given for every known
    feature: the fitted coordinate for clustering features, the members' mean for the
    others (so personas can describe them).
    """
    started = time.perf_counter()
    # The database returns rows in no guaranteed order; sort so the fit is repeatable.
    sample = sample.sort_values("customer_id", kind="stable").reset_index(drop=True)
    z_columns = [f"{feature}_z" for feature in settings.features]
    matrix = sample[z_columns].to_numpy(dtype=np.float64)
    all_z = sample[[f"{feature}_z" for feature in KNOWN_FEATURES]].to_numpy(dtype=np.float64)
    chosen_rows = selection_rows(len(sample), settings)

    def fit(k: int, rows: np.ndarray, measure: bool = True) -> CandidateFit:
        return fit_kmeans(
            matrix[rows],
            k,
            settings.random_state,
            settings.n_init,
            settings.silhouette_sample_size,
            measure,
        )

    # One OpenMP thread: on a busy machine scikit-learn's threads spin against other
    # work (a 20,000-row fit measured 0.08 s on one thread, 2.3 s on two with the other
    # core busy), and fits on a bounded sample are small enough not to need more.
    with threadpool_limits(limits=FIT_THREADS):
        candidates = [fit(k, chosen_rows) for k in settings.candidate_ks(len(sample))]
        selected = choose_k(candidates, settings.fixed_k)
        elbow = elbow_k([each.k for each in candidates], [each.inertia for each in candidates])
        selection_seconds = time.perf_counter() - started
        # Centroids (and member means) per k come from the rows that k was fitted on.
        fitted = {each.k: (each, chosen_rows) for each in candidates}
        if len(chosen_rows) < len(sample):
            all_rows = np.arange(len(sample))
            # Only its centroids are used: the curves stay those of the selection rows.
            fitted[selected] = (fit(selected, all_rows, measure=False), all_rows)
        stability = stability_scores(
            matrix[chosen_rows],
            next(each for each in candidates if each.k == selected),
            settings,
        )
    chosen_fit, chosen_fit_rows = fitted[selected]
    distances = np.linalg.norm(
        matrix[chosen_fit_rows] - chosen_fit.centroids[chosen_fit.labels], axis=1
    )
    thresholds = outlier_thresholds(
        distances, chosen_fit.labels, chosen_fit.k, settings.outlier_iqr_multiplier
    )
    total_seconds = time.perf_counter() - started

    rows = []
    for candidate in candidates:
        final, fit_rows = fitted[candidate.k]
        counts = np.bincount(final.labels, minlength=final.k)
        members_z = all_z[fit_rows]
        for position in range(final.k):
            members = final.labels == position
            row = {
                "k": final.k,
                "candidate_segment": position + 1,
                "sample_customer_count": int(counts[position]),
                "outlier_distance_threshold": (
                    float(thresholds[position]) if candidate.k == selected else float("nan")
                ),
            }
            for index, feature in enumerate(KNOWN_FEATURES):
                if feature in settings.features:
                    value = final.centroids[position, settings.features.index(feature)]
                else:
                    value = members_z[members, index].mean()
                row[f"centroid_{feature}_z"] = float(value)
            # The curves k was chosen on: every k measured on the same selection rows.
            row.update(
                {
                    "inertia": candidate.inertia,
                    "silhouette": candidate.silhouette,
                    "calinski_harabasz": candidate.calinski_harabasz,
                    "davies_bouldin": candidate.davies_bouldin,
                    "fit_seconds": candidate.fit_seconds,
                    "is_elbow_k": candidate.k == elbow,
                    "is_selected_k": candidate.k == selected,
                    "centroid_row_count": len(fit_rows),
                }
            )
            rows.append(row)
    frame = pd.DataFrame(rows)
    frame["clustering_features"] = ",".join(settings.features)
    frame["selection_method"] = "fixed" if settings.fixed_k is not None else SELECTION_RULE
    frame["sample_row_count"] = len(sample)
    frame["selection_row_count"] = len(chosen_rows)
    frame["random_state"] = settings.random_state
    frame["n_init"] = settings.n_init
    frame["stability_resample_count"] = len(stability)
    frame["stability_ari_mean"] = float(stability.mean()) if len(stability) else float("nan")
    frame["stability_ari_min"] = float(stability.min()) if len(stability) else float("nan")
    frame["outlier_iqr_multiplier"] = settings.outlier_iqr_multiplier
    frame["selection_seconds"] = selection_seconds
    frame["total_fit_seconds"] = total_seconds
    return frame


def add_original_units(candidates: pd.DataFrame, scaling: pd.DataFrame) -> pd.DataFrame:
    """Add centroid_<feature> in the feature's own units next to each centroid_<feature>_z.

    `scaling` is shaped like segment_feature_scaling: feature_name, feature_mean,
    feature_std (the population values the z-scores were computed with).
    """
    by_feature = scaling.set_index("feature_name")
    missing = [feature for feature in KNOWN_FEATURES if feature not in by_feature.index]
    if missing:
        raise ValueError(f"feature scaling has no row for {', '.join(missing)}")
    result = candidates.copy()
    for feature in KNOWN_FEATURES:
        z_column = f"centroid_{feature}_z"
        values = (
            by_feature.at[feature, "feature_mean"]
            + result[z_column] * by_feature.at[feature, "feature_std"]
        )
        result.insert(result.columns.get_loc(z_column) + 1, f"centroid_{feature}", values)
    return result
