"""The clustering basic benchmark sets (../shared/data/sipu: Fränti and Sieranoja, 2018)
and the centroid index that scores a fit against their true centroids."""

from __future__ import annotations

import numpy as np
import pytest

from helpers.dbt_runs import SHARED_DATA_DIR

SIPU_DIR = SHARED_DATA_DIR / "sipu"


# name: (ground-truth centroid file, true k)
SIPU_SETS = {
    "s1": ("s1-cb.txt", 15),
    "s2": ("s2-cb.txt", 15),
    "s3": ("s3-cb.txt", 15),
    "s4": ("s4-cb.txt", 15),
    "a1": ("a1-gt-cb.txt", 20),
    "a2": ("a2-gt-cb.txt", 35),
    "a3": ("a3-gt-cb.txt", 50),
    "unbalance": ("unbalance-gt-cb.txt", 8),
}


def centroid_index(fitted: np.ndarray, truth: np.ndarray) -> int:
    """Fränti's centroid index: map each centroid of one set to its nearest in the
    other and count the centroids of the other that nobody chose (orphans), both ways;
    the larger count. 0: every true cluster has a centroid of its own."""

    def orphans(source: np.ndarray, target: np.ndarray) -> int:
        nearest = ((source[:, None, :] - target[None, :, :]) ** 2).sum(axis=2).argmin(axis=1)
        return len(target) - len(np.unique(nearest))

    return max(orphans(fitted, truth), orphans(truth, fitted))


def sipu(name: str):
    """A benchmark set's points, true centroids and k; skips where the data is absent."""
    if not SIPU_DIR.exists():
        pytest.skip(f"{SIPU_DIR} is not here (only checked where ../shared/data exists)")
    centroid_file, k = SIPU_SETS[name]
    return np.loadtxt(SIPU_DIR / f"{name}.txt"), np.loadtxt(SIPU_DIR / centroid_file), k
