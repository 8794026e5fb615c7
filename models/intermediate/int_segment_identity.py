"""Stable ids and names for this build's segments; logic in customer_segmentation.identity.

The previous model is read from segment_model_registry by name rather than through
dbt.ref: the registry records this very fit further down the graph, so a ref would be a
cycle. It is the self-reference an incremental model makes to its own table; the
registry lives in this model's schema (both use the target schema).
"""

from customer_segmentation.frames import sibling_relation, table_exists, to_pandas
from customer_segmentation.identity import assign_identities
from customer_segmentation.settings import parse_features, parse_flag, parse_match_distance

REGISTRY = "segment_model_registry"


def model(dbt, session):
    dbt.config(materialized="table")
    fitted_relation = dbt.ref("int_segment_centroids_fitted")
    personas_relation = dbt.ref("int_segment_personas_fitted")
    scaling_relation = dbt.ref("segment_feature_scaling")
    features = list(parse_features(dbt.config.get("segmentation_features")))
    max_distance = parse_match_distance(dbt.config.get("segment_match_max_distance"))
    keep_names = parse_flag(dbt.config.get("keep_segment_names"), "keep_segment_names", True)

    fitted = to_pandas(fitted_relation)
    fitted = fitted[fitted["is_selected_k"]].merge(
        to_pandas(personas_relation), on="candidate_segment", how="left"
    )
    scaling = to_pandas(scaling_relation).set_index("feature_name")["feature_std"]

    previous, last_id = None, 0
    if table_exists(session, dbt.this, REGISTRY):
        registry = sibling_relation(dbt.this, REGISTRY)
        previous = to_pandas(
            session.sql(
                f"select * from {registry} where is_selected_k"
                f" and model_version = (select max(model_version) from {registry})"
            )
        )
        used = to_pandas(session.sql(f"select max(segment_id) as last_id from {registry}"))
        last_id = 0 if used["last_id"].isna().all() else int(used["last_id"][0])
    return assign_identities(
        fitted, previous, features, scaling.to_dict(), max_distance, last_id + 1, keep_names
    )
