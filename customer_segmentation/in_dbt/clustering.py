"""Candidate fits (K-Means by default), the choice of k, and deterministic segment order.

Pure functions on numpy arrays and pandas frames: the dbt Python model
`int_segment_candidates_fitted` calls `fit_segment_candidates` and returns its frame.
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
)
from sklearn.utils import check_random_state
from threadpoolctl import threadpool_limits

from customer_segmentation.in_dbt.algorithms import (
    QUADRATIC_ALGORITHMS,
    QUADRATIC_ROW_LIMIT,
    cluster,
)
from customer_segmentation.in_dbt.metrics import SampledSilhouette
from customer_segmentation.in_dbt.settings import FIT_THREADS, K_RULES, FitSettings, SettingsError

# How far from the elbow the silhouette may move the choice of k (see choose_k).
ELBOW_NEIGHBOURHOOD = 1
SELECTION_RULES = {
    "elbow_silhouette": (
        "elbow of the inertia curve (largest drop below the chord from the smallest to "
        f"the largest k), then the highest silhouette within +/-{ELBOW_NEIGHBOURHOOD} of "
        "it; ties go to the smaller k"
    ),
    "silhouette": "highest silhouette; ties go to the smaller k",
    "gap": (
        "gap statistic: the smallest k with gap(k) >= gap(k+1) - s(k+1) (Tibshirani, "
        "Walther and Hastie, 2001)"
    ),
}


@dataclass(frozen=True)
class CandidateFit:
    """One fit for one k, with segments already in their final order."""

    k: int
    centroids: np.ndarray  # (k, n_features), rows ordered by segment_order
    labels: np.ndarray  # 0-based positions into centroids
    inertia: float
    silhouette: float
    calinski_harabasz: float
    davies_bouldin: float
    fit_seconds: float
    # ARI between the algorithm's own labels and nearest-centre labels (1 for K-Means).
    label_agreement: float = 1.0
    # What the algorithm was run with (DBSCAN: the eps and min_samples it used).
    parameters: str = ""
    # DBSCAN only: (min_samples, eps) it ran with, and its noise rows (their labels are
    # still their nearest segment's).
    dbscan: tuple[int | None, float | None] = (None, None)
    noise: np.ndarray | None = None

    @property
    def noise_share(self) -> float:
        """Share of the rows the algorithm left unassigned (DBSCAN's noise; 0 otherwise)."""
        return float(self.noise.mean()) if self.noise is not None and self.noise.size else 0.0


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


def nearest_centre(features: np.ndarray, centres: np.ndarray) -> np.ndarray:
    """Position of each row's nearest centre; ties go to the lower position, as in the
    SQL that scores customers."""
    squared = ((features[:, None, :] - centres[None, :, :]) ** 2).sum(axis=2)
    return squared.argmin(axis=1)


def fit_candidate(
    features: np.ndarray,
    k: int,
    random_state: int,
    n_init: int,
    silhouette_sample_size: int,
    measure: bool = True,
    algorithm: str = "kmeans",
    shared_silhouette: SampledSilhouette | None = None,
    dbscan: tuple[int | None, float | None] = (None, None),
) -> CandidateFit:
    """Fit one k with `algorithm` and measure it (unless `measure` is false: the metrics
    are then NaN); labels follow `segment_order`.

    Whatever the algorithm, a segment is its centre (K-Means centroid, mixture mean,
    members' mean for Ward and DBSCAN) and a customer belongs to the nearest one: that
    is how SQL scores every customer, so the fit's labels, metrics and inertia follow
    the same rule. `label_agreement` says how far that rule agrees with the algorithm's
    own labels. DBSCAN ignores `k` and finds its own number of segments, with
    `dbscan` = (min_samples, eps), each None to choose it (see
    algorithms.dbscan_parameters). Pass
    `shared_silhouette` (built on these `features` with this sample size and seed) to
    share its distances between candidates.
    """
    started = time.perf_counter()
    if algorithm == "kmeans":
        model = KMeans(n_clusters=k, n_init=n_init, random_state=random_state)
        # K-Means' final labels are its centroids' nearest-centre labels.
        raw_labels = model.fit_predict(features)
        raw_centres = model.cluster_centers_
        agreement = 1.0
        parameters = f"k={k}, n_init={n_init}, random_state={random_state}"
        noise = None
    else:
        clustering = cluster(
            algorithm,
            features,
            k,
            random_state,
            n_init,
            *dbscan,
            silhouette_sample_size,
        )
        if clustering.segment_count < 2:
            raise SettingsError(
                f"{algorithm} found {clustering.segment_count} segment(s) in "
                f"{len(features):,} rows ({clustering.parameters}); it needs at least 2: "
                "choose another segment_algorithm"
            )
        raw_centres = clustering.centres
        raw_labels = nearest_centre(features, raw_centres)
        agreement = float(adjusted_rand_score(clustering.labels, raw_labels))
        parameters = clustering.parameters
        noise = clustering.labels < 0 if algorithm == "dbscan" else None
        dbscan = clustering.dbscan_settings or dbscan
    k = len(raw_centres)
    order = segment_order(raw_centres)
    position = np.empty(k, dtype=np.int64)
    position[order] = np.arange(k)
    labels = position[raw_labels]
    centroids = raw_centres[order]
    inertia = float(((features - centroids[labels]) ** 2).sum())
    if not measure or np.unique(labels).size < 2:
        silhouette = calinski_harabasz = davies_bouldin = float("nan")
    else:
        # Silhouette is quadratic in rows: measured on a fixed random subset when large.
        measured_on = shared_silhouette or SampledSilhouette(
            features, silhouette_sample_size, random_state
        )
        silhouette = measured_on.score(labels)
        calinski_harabasz = float(calinski_harabasz_score(features, labels))
        davies_bouldin = float(davies_bouldin_score(features, labels))
    return CandidateFit(
        k=k,
        centroids=centroids,
        labels=labels,
        inertia=inertia,
        silhouette=silhouette,
        calinski_harabasz=calinski_harabasz,
        davies_bouldin=davies_bouldin,
        fit_seconds=time.perf_counter() - started,
        label_agreement=agreement,
        parameters=parameters,
        dbscan=dbscan,
        noise=noise,
    )


def swap_refined(features: np.ndarray, fit: CandidateFit, random_state: int) -> CandidateFit:
    """K-Means' solution improved by deterministic centroid swaps.

    K-Means stops in a local optimum, and with many segments a common one puts two
    centroids in one true group and one centroid between two others. Each trial moves
    one centroid (the cheapest to remove: the one whose members would add least to the
    sum of squares if they moved to their second-nearest centroid; the next cheapest
    after each failure) to a row drawn with probability proportional to its squared
    distance from its own centroid (as k-means++ seeds), and runs K-Means from there.
    A trial that lowers the sum of squares is kept. The search stops after 2k
    consecutive trials that do not, so its cost grows with k. Draws come from
    `random_state`: the same rows give the same centroids. Labels, order and inertia
    are recomputed; metrics are NaN.
    """
    started = time.perf_counter()
    k = fit.k
    centres, inertia = fit.centroids, fit.inertia
    generator = np.random.default_rng(random_state)
    rows = np.arange(len(features))
    failures = 0
    while k >= 2 and failures < 2 * k:
        squared = ((features[:, None, :] - centres[None, :, :]) ** 2).sum(axis=2)
        nearest_two = np.argsort(squared, axis=1)[:, :2]
        nearest, second = nearest_two[:, 0], nearest_two[:, 1]
        own = squared[rows, nearest]
        removal_cost = np.bincount(nearest, weights=squared[rows, second] - own, minlength=k)
        removed = np.argsort(removal_cost, kind="stable")[failures % k]
        if own.sum() <= 0:
            break
        added = generator.choice(len(features), p=own / own.sum())
        start = centres.copy()
        start[removed] = features[added]
        trial = KMeans(n_clusters=k, init=start, n_init=1).fit(features)
        if trial.inertia_ < inertia * (1 - 1e-9):
            centres, inertia, failures = trial.cluster_centers_, float(trial.inertia_), 0
        else:
            failures += 1
    order = segment_order(centres)
    centroids = centres[order]
    labels = nearest_centre(features, centroids)
    return CandidateFit(
        k=k,
        centroids=centroids,
        labels=labels,
        inertia=float(((features - centroids[labels]) ** 2).sum()),
        silhouette=float("nan"),
        calinski_harabasz=float("nan"),
        davies_bouldin=float("nan"),
        fit_seconds=fit.fit_seconds + time.perf_counter() - started,
        parameters=f"{fit.parameters}, centroid swaps",
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


@dataclass(frozen=True)
class GapStatistic:
    """The gap statistic of Tibshirani, Walther and Hastie (2001) for each k in `ks`.

    W_k is the pooled within-segment sum of squares of the fit with k segments (its
    inertia; for k = 1 the sum of squares around the mean). Each of B reference sets
    is drawn uniformly in the bounding box of the data, with as many rows, and fitted
    the same way; gap(k) = mean_b log W*_kb - log W_k, and s(k) = sd_k x sqrt(1 + 1/B)
    with sd_k the standard deviation of the B values log W*_kb (divided by B).
    """

    ks: tuple[int, ...]
    log_dispersion: np.ndarray
    reference_log_dispersion: np.ndarray
    standard_error: np.ndarray
    reference_count: int

    @property
    def gap(self) -> np.ndarray:
        """gap(k) for each k: the references' mean log dispersion minus the data's."""
        return self.reference_log_dispersion - self.log_dispersion

    def value(self, k: int) -> tuple[float, float, float, float]:
        """(gap, s, reference log dispersion, log dispersion) of one k."""
        position = self.ks.index(k)
        return (
            float(self.gap[position]),
            float(self.standard_error[position]),
            float(self.reference_log_dispersion[position]),
            float(self.log_dispersion[position]),
        )

    def chosen_k(self) -> int:
        """The smallest k with gap(k) >= gap(k+1) - s(k+1), k+1 being the next k
        measured; the largest k when none qualifies."""
        gap = self.gap
        for position in range(len(self.ks) - 1):
            if gap[position] >= gap[position + 1] - self.standard_error[position + 1]:
                return self.ks[position]
        return self.ks[-1]


def total_dispersion(features: np.ndarray) -> float:
    """W_1: the sum of squared distances to the mean."""
    return float(((features - features.mean(axis=0)) ** 2).sum())


def gap_statistic(
    features: np.ndarray,
    inertias: dict[int, float],
    reference_count: int,
    random_state: int,
    fit_inertia,
    include_one: bool = True,
) -> GapStatistic:
    """The gap statistic for k = 1 and every k of `inertias` (the data's fits).

    `fit_inertia(reference, k)` fits a reference set exactly as the data's candidates
    were fitted and returns its inertia. The reference sets are drawn from
    `random_state`, so the same data and settings give the same values. Without
    `include_one` (when the candidates start above 2) k = 1 is left out, so the rule
    compares only neighbouring candidates.
    """
    ks = tuple(sorted({1, *inertias} if include_one else set(inertias)))
    low, high = features.min(axis=0), features.max(axis=0)
    generator = np.random.default_rng(random_state)
    reference_logs = np.empty((reference_count, len(ks)))
    for draw in range(reference_count):
        reference = low + generator.random(features.shape) * (high - low)
        for position, k in enumerate(ks):
            dispersion = total_dispersion(reference) if k == 1 else fit_inertia(reference, k)
            reference_logs[draw, position] = np.log(dispersion)
    observed = {1: total_dispersion(features), **inertias}
    with np.errstate(divide="ignore"):
        log_dispersion = np.log(np.array([observed[k] for k in ks], dtype=float))
    return GapStatistic(
        ks=ks,
        log_dispersion=log_dispersion,
        reference_log_dispersion=reference_logs.mean(axis=0),
        standard_error=reference_logs.std(axis=0) * np.sqrt(1 + 1 / reference_count),
        reference_count=reference_count,
    )


def measure_gap(
    features: np.ndarray, candidates: list[CandidateFit], settings: FitSettings
) -> GapStatistic:
    """The gap statistic of the candidates' k on the selection rows `features`.

    Uniform reference sets converge slowly and each k is fitted on every one of them,
    so, like the silhouette, the gap is measured on at most silhouette_sample_size of
    the rows: the same fixed random subset the silhouette uses (all rows when fewer).
    The data's own W_k are then refitted on that subset, with the same settings.
    """

    def fit_inertia(rows: np.ndarray, k: int) -> float:
        return fit_candidate(
            rows,
            k,
            settings.random_state,
            settings.n_init,
            settings.silhouette_sample_size,
            measure=False,
            algorithm=settings.algorithm,
        ).inertia

    if len(features) > settings.silhouette_sample_size:
        order = check_random_state(settings.random_state).permutation(len(features))
        features = features[order[: settings.silhouette_sample_size]]
        inertias = {each.k: fit_inertia(features, each.k) for each in candidates}
    else:
        inertias = {each.k: each.inertia for each in candidates}
    return gap_statistic(
        features,
        inertias,
        settings.gap_reference_count,
        settings.random_state,
        fit_inertia,
        include_one=candidates[0].k <= 2,
    )


def gap_columns(gap: GapStatistic | None, k: int) -> dict[str, float]:
    """One candidate's gap statistic columns (NaN where it was not measured)."""
    names = ("gap_statistic", "gap_standard_error", "gap_reference_log_dispersion")
    names += ("log_dispersion",)
    if gap is None or k not in gap.ks:
        return dict.fromkeys(names, float("nan"))
    return dict(zip(names, gap.value(k), strict=True))


def elbow_silhouette_k(fits: list[CandidateFit]) -> int:
    """The elbow of the inertia curve, then the highest silhouette within
    ELBOW_NEIGHBOURHOOD of it (ties to the smaller k)."""
    fits = sorted(fits, key=lambda fit: fit.k)
    elbow = elbow_k([fit.k for fit in fits], [fit.inertia for fit in fits])
    near_elbow = [fit for fit in fits if abs(fit.k - elbow) <= ELBOW_NEIGHBOURHOOD]
    return max(near_elbow, key=lambda fit: (round(fit.silhouette, 12), -fit.k)).k


def silhouette_k(fits: list[CandidateFit]) -> int:
    """The highest silhouette (ties to the smaller k)."""
    return max(fits, key=lambda fit: (round(fit.silhouette, 12), -fit.k)).k


def rule_choices(fits: list[CandidateFit], gap: GapStatistic | None) -> dict[str, int | None]:
    """The k each rule of K_RULES would choose (None for gap when it was not measured).
    The gap rule may choose 1: no segment structure."""
    return {
        "elbow_silhouette": elbow_silhouette_k(fits),
        "silhouette": silhouette_k(fits),
        "gap": gap.chosen_k() if gap is not None else None,
    }


def choose_k(
    fits: list[CandidateFit],
    fixed_k: int | None = None,
    rule: str = "elbow_silhouette",
    gap: GapStatistic | None = None,
) -> int:
    """The fixed k, or the k `rule` chooses (see SELECTION_RULES).

    The gap rule choosing k = 1 means the customers show no segment structure: that is
    an error, not a reason to invent segments."""
    if fixed_k is not None:
        return fixed_k
    if rule not in K_RULES:
        raise SettingsError(f"segment_k_rule must be one of {', '.join(K_RULES)}; got {rule!r}")
    if rule == "gap" and gap is None:
        raise SettingsError("segment_k_rule gap needs the gap statistic, which was not measured")
    chosen = rule_choices(fits, gap)[rule]
    if chosen == 1:
        value, error, _, _ = gap.value(1)
        next_k = gap.ks[1]
        next_value, next_error, _, _ = gap.value(next_k)
        raise SettingsError(
            "segment_k_rule gap finds no segment structure in these customers: "
            f"gap(1) = {value:.4f} >= gap({next_k}) - s({next_k}) = "
            f"{next_value - next_error:.4f}, so they are best described as one group. "
            "Fix the number of segments with segment_count, or choose another "
            "segment_k_rule, if segments are wanted anyway"
        )
    return chosen


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


def density_reach(distances: np.ndarray, labels: np.ndarray, noise: np.ndarray, k: int):
    """DBSCAN's outlier thresholds: per segment, the distance to its centre of its
    farthest member DBSCAN clustered (noise left out). Customers farther from their
    nearest centre than that lie beyond every cluster DBSCAN found: outliers, as its
    noise is. NaN for a segment with no clustered member."""
    thresholds = np.full(k, np.nan)
    for position in range(k):
        members = distances[(labels == position) & ~noise]
        if len(members):
            thresholds[position] = float(members.max())
    return thresholds


def stability_scores(
    features: np.ndarray, reference: CandidateFit, settings: FitSettings
) -> np.ndarray:
    """Adjusted Rand index between `reference`'s labels and refits of the same k (same
    algorithm) on bootstrap resamples of `features`, each with its own seed, every refit
    labelling all of `features` by nearest centre. Near 1: the segments do not hinge on
    which customers were drawn. A refit that finds no segments scores 0.
    """
    scores = []
    for resample in range(settings.stability_resample_count):
        seed = settings.random_state + 1 + resample
        rows = np.random.default_rng(seed).integers(0, len(features), len(features))
        try:
            refit = fit_candidate(
                features[rows],
                reference.k,
                seed,
                settings.n_init,
                settings.silhouette_sample_size,
                measure=False,
                algorithm=settings.algorithm,
                dbscan=reference.dbscan,
            )
        except SettingsError:
            scores.append(0.0)
            continue
        predicted = nearest_centre(features, refit.centroids)
        scores.append(adjusted_rand_score(reference.labels, predicted))
    return np.asarray(scores, dtype=float)


def selection_rows(row_count: int, settings: FitSettings) -> np.ndarray:
    """Positions of the rows k is chosen on: all of them, or a fixed random subset.

    Choosing k needs a fit for every candidate; the curves it reads (inertia per row,
    silhouette) settle long before the centroids stop moving, so the candidates are
    fitted on at most `selection_sample_size` rows and only the chosen k on all of
    the sample. Ward and DBSCAN, quadratic in rows, get at most QUADRATIC_ROW_LIMIT.
    """
    limit = settings.selection_sample_size
    if settings.algorithm in QUADRATIC_ALGORITHMS:
        limit = min(limit, QUADRATIC_ROW_LIMIT)
    if row_count <= limit:
        return np.arange(row_count)
    generator = np.random.default_rng(settings.random_state)
    return np.sort(generator.choice(row_count, limit, replace=False))


def dimension_columns(sample: pd.DataFrame) -> list[str]:
    """The model-space columns of a sample: every column but `customer_id`, in order."""
    columns = [column for column in sample.columns if column != "customer_id"]
    if not columns:
        raise SettingsError("the sample has no model-space column to cluster on")
    return columns


def fit_segment_candidates(sample: pd.DataFrame, settings: FitSettings) -> pd.DataFrame:
    """Fit every candidate k, choose one, and describe the centroids of each.

    `sample` holds one row per sampled customer: `customer_id` and one column per
    model dimension (weighted z-scores and category indicators, prepared in SQL).
    Candidates are fitted and measured on the selection rows (see `selection_rows`);
    the chosen k is then fitted again on the whole sample when that is larger, and its
    centroids are the ones returned for it. Returns one row per candidate k, segment
    (`candidate_segment`, numbered by segment_order) and dimension (`dimension_name`,
    `centroid_value`), with that k's metrics repeated on each of its rows and
    `is_selected_k` marking the choice. The chosen k's rows also carry each segment's
    outlier distance threshold (see `outlier_thresholds`), and every row the chosen
    k's stability over bootstrap refits (see `stability_scores`).
    """
    started = time.perf_counter()
    # The database returns rows in no guaranteed order; sort so the fit is repeatable.
    sample = sample.sort_values("customer_id", kind="stable").reset_index(drop=True)
    dimensions = dimension_columns(sample)
    matrix = sample[dimensions].to_numpy(dtype=np.float64)
    chosen_rows = selection_rows(len(sample), settings)

    # Every candidate is measured on the selection rows: one silhouette subset for all.
    silhouette = SampledSilhouette(
        matrix[chosen_rows], settings.silhouette_sample_size, settings.random_state
    )

    def fit(k: int, rows: np.ndarray, measure: bool = True) -> CandidateFit:
        return fit_candidate(
            matrix[rows],
            k,
            settings.random_state,
            settings.n_init,
            settings.silhouette_sample_size,
            measure,
            settings.algorithm,
            silhouette if rows is chosen_rows else None,
            (settings.dbscan_min_samples, settings.dbscan_eps),
        )

    # One OpenMP thread: on a busy machine scikit-learn's threads spin against other
    # work, and fits on a bounded sample are small enough not to need more.
    with threadpool_limits(limits=FIT_THREADS):
        if settings.algorithm == "dbscan":
            # DBSCAN finds its own number of segments: one candidate (the call only
            # checks there are enough customers to cluster).
            settings.candidate_ks(len(sample))
            candidates = [fit(0, chosen_rows)]
        else:
            candidates = [fit(k, chosen_rows) for k in settings.candidate_ks(len(sample))]
        gap, gap_started = None, time.perf_counter()
        if settings.algorithm != "dbscan":
            gap = measure_gap(matrix[chosen_rows], candidates, settings)
        gap_seconds = time.perf_counter() - gap_started
        selected = choose_k(candidates, settings.fixed_k, settings.k_rule, gap)
        choices = (
            rule_choices(candidates, gap)
            if settings.algorithm != "dbscan"
            else dict.fromkeys(SELECTION_RULES)
        )
        elbow = elbow_k([each.k for each in candidates], [each.inertia for each in candidates])
        selection_seconds = time.perf_counter() - started
        fitted = {each.k: (each, chosen_rows) for each in candidates}
        # Ward and DBSCAN are quadratic in rows: their centres stay those of the
        # selection rows (at most QUADRATIC_ROW_LIMIT).
        if len(chosen_rows) < len(sample) and settings.algorithm not in QUADRATIC_ALGORITHMS:
            all_rows = np.arange(len(sample))
            # Only its centroids are used: the curves stay those of the selection rows.
            fitted[selected] = (fit(selected, all_rows, measure=False), all_rows)
        if settings.algorithm == "kmeans":
            final_fit, final_rows = fitted[selected]
            fitted[selected] = (
                swap_refined(matrix[final_rows], final_fit, settings.random_state),
                final_rows,
            )
        stability = stability_scores(
            matrix[chosen_rows],
            next(each for each in candidates if each.k == selected),
            settings,
        )
    chosen_fit, chosen_fit_rows = fitted[selected]
    distances = np.linalg.norm(
        matrix[chosen_fit_rows] - chosen_fit.centroids[chosen_fit.labels], axis=1
    )
    if chosen_fit.noise is not None:
        thresholds = density_reach(distances, chosen_fit.labels, chosen_fit.noise, chosen_fit.k)
    else:
        thresholds = outlier_thresholds(
            distances, chosen_fit.labels, chosen_fit.k, settings.outlier_iqr_multiplier
        )
    total_seconds = time.perf_counter() - started

    rows = []
    for candidate in candidates:
        final, fit_rows = fitted[candidate.k]
        counts = np.bincount(final.labels, minlength=final.k)
        for position in range(final.k):
            segment = {
                "k": final.k,
                "candidate_segment": position + 1,
                "sample_customer_count": int(counts[position]),
                "outlier_distance_threshold": (
                    float(thresholds[position]) if candidate.k == selected else float("nan")
                ),
                # The curves k was chosen on: every k measured on the same selection rows.
                "inertia": candidate.inertia,
                "silhouette": candidate.silhouette,
                "calinski_harabasz": candidate.calinski_harabasz,
                "davies_bouldin": candidate.davies_bouldin,
                "fit_seconds": candidate.fit_seconds,
                "label_agreement": candidate.label_agreement,
                "noise_share": candidate.noise_share,
                "is_elbow_k": candidate.k == elbow,
                "is_selected_k": candidate.k == selected,
                "centroid_row_count": len(fit_rows),
                **gap_columns(gap, candidate.k),
            }
            for index, dimension in enumerate(dimensions):
                rows.append(
                    {
                        **segment,
                        "dimension_name": dimension,
                        "centroid_value": float(final.centroids[position, index]),
                    }
                )
    frame = pd.DataFrame(rows)
    frame["algorithm"] = settings.algorithm
    if settings.algorithm == "dbscan":
        frame["k_rule"] = "dbscan"
        frame["selection_method"] = (
            f"dbscan finds its own number of segments ({candidates[0].parameters})"
        )
    elif settings.fixed_k is not None:
        frame["k_rule"] = "fixed"
        frame["selection_method"] = "fixed"
    else:
        frame["k_rule"] = settings.k_rule
        frame["selection_method"] = SELECTION_RULES[settings.k_rule]
    for rule, k in choices.items():
        frame[f"{rule}_k"] = pd.array([k] * len(frame), dtype="Int64")
    frame["gap_reference_count"] = gap.reference_count if gap is not None else 0
    frame["gap_seconds"] = gap_seconds
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
