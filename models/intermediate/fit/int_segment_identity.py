"""Stable ids and names for this build's segments; logic in customer_segmentation.in_dbt.identity
(matching to the previous model) and customer_segmentation.in_dbt.naming (names).

The previous model is read from int_segment_models_registered by name rather than
through dbt.ref: the registry records this very fit further down the graph, so a ref
would be a cycle. It is the self-reference an incremental model makes to its own table;
the registry lives in this model's schema (both use the target schema).
"""

from customer_segmentation.in_dbt.frames import sibling_relation, table_exists, to_pandas
from customer_segmentation.in_dbt.identity import (
    assign_identities,
    fitted_centroids,
    previous_segments,
)
from customer_segmentation.in_dbt.naming import name_segments
from customer_segmentation.in_dbt.settings import parse_flag, parse_match_distance

REGISTRY = "int_segment_models_registered"


def model(dbt, session):
    dbt.config(materialized="table")
    candidates_relation = dbt.ref("int_segment_candidates_fitted")
    personas_relation = dbt.ref("int_segment_personas_fitted")
    bands_relation = dbt.ref("int_segment_bands_fitted")
    statistics_relation = dbt.ref("int_feature_statistics")
    max_distance = parse_match_distance(dbt.config.get("segment_match_max_distance"))
    keep_names = parse_flag(dbt.config.get("keep_segment_names"), "keep_segment_names", True)

    fitted = fitted_centroids(to_pandas(candidates_relation))
    named = name_segments(to_pandas(bands_relation), to_pandas(personas_relation))
    dimensions = to_pandas(statistics_relation).sort_values("dimension_position")

    previous, last_id = None, 0
    if table_exists(session, dbt.this, REGISTRY):
        registry = sibling_relation(dbt.this, REGISTRY)
        previous = previous_segments(
            to_pandas(
                session.sql(
                    f"select * from {registry} where is_selected_k"
                    f" and model_version = (select max(model_version) from {registry})"
                )
            ),
            dimensions,
        )
        used = to_pandas(session.sql(f"select max(segment_id) as last_id from {registry}"))
        last_id = 0 if used["last_id"].isna().all() else int(used["last_id"][0])
    return assign_identities(fitted, named, previous, max_distance, last_id + 1, keep_names)
