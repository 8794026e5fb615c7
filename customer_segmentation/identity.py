"""Stable segment ids and names across refits.

K-Means numbers its clusters arbitrarily, and data changes between builds move the
centroids, so a refit's segment 3 need not be last week's segment 3. Each refit is
matched to the model in use before it: an optimal one-to-one assignment on centroid
distance (Hungarian algorithm), in the new fit's standardised units. A pair closer than
a threshold keeps the previous id and names; every other new segment gets a fresh id,
never one used before; previous segments left unmatched are retired.

Pure functions on pandas frames: the dbt Python model `int_segment_identity` calls
`assign_identities`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.optimize import linear_sum_assignment

KEPT = "kept"
NEW = "new"


def centroid_distances(
    previous: pd.DataFrame, fitted: pd.DataFrame, features: list[str], stds: dict[str, float]
) -> np.ndarray:
    """Euclidean distances (fitted rows x previous rows) between centroids given in
    original units (`centroid_<feature>`), each feature divided by its current standard
    deviation, so that the distance reads in the units the model is fitted in. A feature
    with no spread carries no information and adds nothing."""
    squared = np.zeros((len(fitted), len(previous)))
    for feature in features:
        std = stds.get(feature) or 0.0
        if std <= 0 or not np.isfinite(std):
            continue
        column = f"centroid_{feature}"
        new_values = fitted[column].to_numpy(dtype=float)[:, None]
        old_values = previous[column].to_numpy(dtype=float)[None, :]
        squared += ((new_values - old_values) / std) ** 2
    return np.sqrt(squared)


def match_centroids(distances: np.ndarray, max_distance: float) -> dict[int, int]:
    """Optimal one-to-one pairs (fitted row -> previous row) minimising the total
    distance, keeping only pairs no further apart than `max_distance`."""
    if distances.size == 0:
        return {}
    fitted_rows, previous_rows = linear_sum_assignment(distances)
    return {
        int(new): int(old)
        for new, old in zip(fitted_rows, previous_rows, strict=True)
        if distances[new, old] <= max_distance
    }


def assign_identities(
    fitted: pd.DataFrame,
    previous: pd.DataFrame | None,
    features: list[str],
    stds: dict[str, float],
    max_distance: float,
    next_id: int,
    keep_names: bool = True,
) -> pd.DataFrame:
    """One row per fitted segment: its stable `segment_id`, `identity_status` (kept or
    new), the `match_distance` to the previous segment it continues (NaN when new), and
    its names.

    `fitted` holds the chosen fit's segments: `candidate_segment`, `centroid_<feature>`
    in original units and freshly derived `segment_name`, `persona_name` and
    `persona_summary`. `previous` holds the segments of the model in use before this fit
    (`segment_id`, the same centroid and name columns, `clustering_features`), or is
    None or empty on the first fit. Segments fitted on other features never match. New
    ids count up from `next_id`, in candidate order. Kept segments keep their names, so
    a persona does not change its name because K-Means renumbered or its centroid
    drifted; a new segment whose fresh name is already taken adds its id to it. With
    `keep_names` false every segment takes its fresh name (ids still carry over): how
    edited persona rules reach existing segments.
    """
    fitted = fitted.sort_values("candidate_segment").reset_index(drop=True)
    same_features = (
        previous is not None
        and len(previous) > 0
        and set(previous["clustering_features"]) == {",".join(features)}
    )
    if same_features:
        previous = previous.reset_index(drop=True)
        distances = centroid_distances(previous, fitted, features, stds)
        pairs = match_centroids(distances, max_distance)
    else:
        previous, distances, pairs = None, None, {}

    rows = []
    for position, segment in fitted.iterrows():
        if position in pairs:
            match = previous.loc[pairs[position]]
            names = match if keep_names else segment
            rows.append(
                {
                    "candidate_segment": int(segment["candidate_segment"]),
                    "segment_id": int(match["segment_id"]),
                    "identity_status": KEPT,
                    "match_distance": float(distances[position, pairs[position]]),
                    "segment_name": names["segment_name"],
                    "persona_name": names["persona_name"],
                    "persona_summary": names["persona_summary"],
                }
            )
        else:
            rows.append(
                {
                    "candidate_segment": int(segment["candidate_segment"]),
                    "segment_id": next_id,
                    "identity_status": NEW,
                    "match_distance": float("nan"),
                    "segment_name": segment["segment_name"],
                    "persona_name": segment["persona_name"],
                    "persona_summary": segment["persona_summary"],
                }
            )
            next_id += 1
    result = pd.DataFrame(rows)
    kept_names = set(result.loc[result.identity_status == KEPT, "segment_name"])
    clashes = (result.identity_status == NEW) & result.segment_name.isin(kept_names)
    result.loc[clashes, "segment_name"] = [
        f"{name} (segment {segment_id})"
        for name, segment_id in zip(
            result.loc[clashes, "segment_name"], result.loc[clashes, "segment_id"], strict=True
        )
    ]
    return result
