"""Stable segment ids and names across refits.

K-Means numbers its clusters arbitrarily, and data changes between builds move the
centroids, so a refit's segment 3 need not be last week's segment 3. Each refit is
matched to the model in use before it: an optimal one-to-one assignment on centroid
distance (Hungarian algorithm), in the new fit's model space. A pair closer than a
threshold keeps the previous id and names; every other new segment gets a fresh id,
never one used before; previous segments left unmatched are retired. A refit on other
features (another feature signature) matches nothing: a new lineage.

Pure functions on pandas frames: the dbt Python model `int_segment_identity` calls
`assign_identities`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.optimize import linear_sum_assignment

KEPT = "kept"
NEW = "new"
IDENTITY_COLUMNS = [
    "candidate_segment",
    "segment_id",
    "identity_status",
    "match_distance",
    "segment_name",
    "persona_name",
    "persona_summary",
    "is_rule_named",
]


def previous_in_model_space(previous: pd.DataFrame, dimensions: pd.DataFrame) -> pd.DataFrame:
    """The previous model's centroids placed in this fit's model space: one row per
    previous segment_id, one column per dimension of `dimensions`.

    `previous` holds the previous version's chosen segments, one row per segment and
    dimension, with `feature_name`, `feature_kind`, `category` and `centroid_original`
    (a numeric feature's centroid in its own units; a category's share). `dimensions`
    is int_feature_statistics: each numeric feature is transformed, centred and scaled
    as this fit does it; each category's share is scaled; a category the previous
    model had no dimension for counts as a share of 0.
    """
    placed = {}
    for segment_id, rows in previous.groupby("segment_id", sort=True):
        numeric = rows[rows.feature_kind == "numeric"].set_index("feature_name")
        shares = rows[rows.feature_kind != "numeric"].set_index(["feature_name", "category"])
        values = {}
        for dimension in dimensions.itertuples():
            if dimension.feature_kind == "numeric":
                original = float(numeric.at[dimension.feature_name, "centroid_original"])
                if dimension.transform == "log":
                    original = float(np.log1p(original))
                values[dimension.dimension_name] = (
                    original - float(dimension.feature_mean)
                ) * float(dimension.dimension_scale)
            else:
                key = (dimension.feature_name, dimension.category)
                share = float(shares.at[key, "centroid_original"]) if key in shares.index else 0.0
                values[dimension.dimension_name] = share * float(dimension.dimension_scale)
        placed[int(segment_id)] = values
    frame = pd.DataFrame.from_dict(placed, orient="index", columns=list(dimensions.dimension_name))
    frame.index.name = "segment_id"
    return frame


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
    named: pd.DataFrame,
    previous: pd.DataFrame | None,
    max_distance: float,
    next_id: int,
    keep_names: bool = True,
) -> pd.DataFrame:
    """One row per fitted segment (IDENTITY_COLUMNS): its stable `segment_id`,
    `identity_status` (kept or new), the `match_distance` to the previous segment it
    continues (NaN when new), and its names.

    `fitted` holds the chosen fit's centroids in model space: one row per
    candidate_segment, one column per dimension. `named` holds the fresh names of the
    fit (customer_segmentation.in_dbt.naming.name_segments). `previous` holds the segments of
    the model in use before this fit, in this fit's model space (one row per
    segment_id, the same columns; see previous_in_model_space) with their names in
    `segment_name`, `persona_name`, `persona_summary` and `is_rule_named`, or is None
    or empty on the first fit or after a change of features. New ids count up from
    `next_id`, in candidate order. Kept segments keep their names, so a persona does
    not change its name because K-Means renumbered or its centroid drifted; a new
    segment whose fresh name is already taken adds its id to it. With `keep_names`
    false every segment takes its fresh name (ids still carry over): how edited persona
    rules reach existing segments.
    """
    fitted = fitted.sort_index()
    named = named.set_index("candidate_segment").loc[fitted.index]
    pairs: dict[int, int] = {}
    distances = None
    if previous is not None and len(previous) > 0:
        dimensions = list(fitted.columns)
        old = previous[dimensions].to_numpy(dtype=float)
        new = fitted[dimensions].to_numpy(dtype=float)
        distances = np.sqrt(((new[:, None, :] - old[None, :, :]) ** 2).sum(axis=2))
        pairs = match_centroids(distances, max_distance)

    rows = []
    for position, candidate in enumerate(fitted.index):
        fresh = named.loc[candidate]
        if position in pairs:
            match = previous.iloc[pairs[position]]
            names = match if keep_names else fresh
            rows.append(
                {
                    "candidate_segment": int(candidate),
                    "segment_id": int(previous.index[pairs[position]]),
                    "identity_status": KEPT,
                    "match_distance": float(distances[position, pairs[position]]),
                    "segment_name": names["segment_name"],
                    "persona_name": names["persona_name"],
                    "persona_summary": names["persona_summary"],
                    "is_rule_named": bool(names["is_rule_named"]),
                }
            )
        else:
            rows.append(
                {
                    "candidate_segment": int(candidate),
                    "segment_id": next_id,
                    "identity_status": NEW,
                    "match_distance": float("nan"),
                    "segment_name": fresh["segment_name"],
                    "persona_name": fresh["persona_name"],
                    "persona_summary": fresh["persona_summary"],
                    "is_rule_named": bool(fresh["is_rule_named"]),
                }
            )
            next_id += 1
    result = pd.DataFrame(rows, columns=IDENTITY_COLUMNS)
    kept_names = set(result.loc[result.identity_status == KEPT, "segment_name"])
    clashes = (result.identity_status == NEW) & result.segment_name.isin(kept_names)
    result.loc[clashes, "segment_name"] = [
        f"{name} (segment {segment_id})"
        for name, segment_id in zip(
            result.loc[clashes, "segment_name"], result.loc[clashes, "segment_id"], strict=True
        )
    ]
    return result


def fitted_centroids(candidates: pd.DataFrame) -> pd.DataFrame:
    """The chosen fit's centroids, one row per candidate_segment and one column per
    dimension, from int_segment_candidates_fitted's long rows."""
    chosen = candidates[candidates["is_selected_k"].astype(bool)]
    order = list(dict.fromkeys(chosen["dimension_name"]))
    wide = chosen.pivot(
        index="candidate_segment", columns="dimension_name", values="centroid_value"
    )
    return wide[order].sort_index()


def previous_segments(registry_rows: pd.DataFrame, dimensions: pd.DataFrame) -> pd.DataFrame | None:
    """The previous version's segments ready for assign_identities, or None when there
    is none or it was fitted on another feature signature (a new lineage).

    `registry_rows` are the previous version's chosen rows of the registry (one per
    segment and dimension); `dimensions` is this fit's int_feature_statistics."""
    if registry_rows is None or registry_rows.empty:
        return None
    signature = set(dimensions["feature_signature"])
    if set(registry_rows["feature_signature"]) != signature:
        return None
    placed = previous_in_model_space(registry_rows, dimensions)
    names = registry_rows.groupby("segment_id", sort=True)[
        ["segment_name", "persona_name", "persona_summary", "is_rule_named"]
    ].first()
    return placed.join(names)
