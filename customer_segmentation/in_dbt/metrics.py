"""Fit metrics shared by the candidate fits and the algorithm comparison."""

from __future__ import annotations

import copy

import numpy as np
from sklearn.metrics import pairwise_distances, silhouette_score
from sklearn.utils import check_random_state

# Largest silhouette subset whose pairwise distances are kept for every labelling
# (5,000 rows: 200 MB of doubles); above it each labelling is measured on its own, as
# scikit-learn does.
SHARED_DISTANCE_ROW_LIMIT = 5_000


class SampledSilhouette:
    """Silhouette of any labelling of `features`, measured as scikit-learn's
    `silhouette_score(features, labels, sample_size=..., random_state=...)` measures it:
    on the same random subset of rows (all rows when there are no more than
    `sample_size`), to the same value up to floating-point rounding.

    The subset depends only on the row count and the seed, so every candidate k is
    measured on the same rows: their pairwise distances are computed once here rather
    than once per k (scikit-learn spent most of each k's time on those distances).
    Subsets above SHARED_DISTANCE_ROW_LIMIT rows are measured
    by scikit-learn itself, to bound memory.
    """

    def __init__(self, features: np.ndarray, sample_size: int, random_state: int):
        """Draw the subset of rows and, below SHARED_DISTANCE_ROW_LIMIT, their distances."""
        self.features = features
        self.requested_sample_size = sample_size
        self.sample_size = sample_size if len(features) > sample_size else None
        self.random_state = random_state
        self.distances = None
        if len(features) > 1 and min(len(features), sample_size) <= SHARED_DISTANCE_ROW_LIMIT:
            if self.sample_size is None:
                self.rows = np.arange(len(features))
            else:
                permutation = check_random_state(random_state).permutation(len(features))
                self.rows = permutation[:sample_size]
            self.distances = pairwise_distances(features[self.rows])
            # Where each measured row sits in `distances`.
            self.positions = np.arange(len(self.rows))

    def restricted_to(self, kept: np.ndarray) -> SampledSilhouette:
        """The SampledSilhouette of the rows `features[kept]` (a boolean mask). When this
        one holds the distances between all its rows, the subset is measured whole too,
        on those same distances: none are computed again (DBSCAN's eps search measures
        a subset for every eps)."""
        subset = self.features[kept]
        if self.distances is None or self.sample_size is not None or len(subset) < 2:
            return SampledSilhouette(subset, self.requested_sample_size, self.random_state)
        restricted = copy.copy(self)
        restricted.features = subset
        restricted.rows = np.arange(len(subset))
        restricted.positions = np.flatnonzero(kept)
        return restricted

    def score(self, labels: np.ndarray) -> float:
        """The mean silhouette of `labels` (one per row of the features) on the subset."""
        if self.distances is None:
            return self._score_by_sklearn(labels)
        labels = np.asarray(labels)[self.rows]
        classes, encoded = np.unique(labels, return_inverse=True)
        if not 2 <= len(classes) <= len(labels) - 1:
            # scikit-learn raises its own error for these; let it.
            return self._score_by_sklearn(labels)
        rows = np.arange(len(labels))
        # Rows of `distances` outside this subset belong to no segment.
        membership = np.zeros((len(self.distances), len(classes)))
        membership[self.positions, encoded] = 1.0
        # Each row's summed distance to the members of each segment.
        summed = (self.distances @ membership)[self.positions]
        sizes = membership.sum(axis=0)
        with np.errstate(divide="ignore", invalid="ignore"):
            # Mean distance to the other members of its own segment (a lone member: 0/0,
            # scored 0 below, as scikit-learn does).
            own = summed[rows, encoded] / (sizes[encoded] - 1)
            other_means = summed / sizes
            other_means[rows, encoded] = np.inf
            nearest_other = other_means.min(axis=1)
            per_row = (nearest_other - own) / np.maximum(own, nearest_other)
        return float(np.mean(np.nan_to_num(per_row)))

    def _score_by_sklearn(self, labels: np.ndarray) -> float:
        return float(
            silhouette_score(
                self.features,
                labels,
                sample_size=self.sample_size,
                random_state=self.random_state,
            )
        )
