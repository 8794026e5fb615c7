"""Publish the marts for readers (logic: customer_segmentation.publication.publish).

The one dbt model with a side effect, on purpose: it writes the published DuckDB file
and Parquet files outside the build database. It runs last: it depends on every mart,
and in `dbt build` a node is skipped when anything upstream of it (a model or one of
its error-severity tests) fails, so a failed build leaves the previous publication in
place. Only a full `dbt build` publishes; `dbt run` (untested) and `--empty` do not.
"""

from customer_segmentation.publication.publish import (
    build_database_path,
    invocation,
    parse_storage_version,
    publish_marts,
    resolve_directory,
    skipped_manifest,
)


def model(dbt, session):
    dbt.config(materialized="table")
    # One ref a line so that dbt sees every dependency.
    marts = {
        "customer_segments": dbt.ref("customer_segments"),
        "segment_profiles": dbt.ref("segment_profiles"),
        "segment_campaigns": dbt.ref("segment_campaigns"),
        "marketing_targets": dbt.ref("marketing_targets"),
        "segment_k_selection": dbt.ref("segment_k_selection"),
        "segment_centroids": dbt.ref("segment_centroids"),
        "segment_feature_scaling": dbt.ref("segment_feature_scaling"),
        "segment_feature_profiles": dbt.ref("segment_feature_profiles"),
        "customer_feature_summary": dbt.ref("customer_feature_summary"),
        "customer_quarantine": dbt.ref("customer_quarantine"),
        "data_quality_summary": dbt.ref("data_quality_summary"),
        "transaction_quarantine": dbt.ref("transaction_quarantine"),
        "customer_rfm": dbt.ref("customer_rfm"),
        "rfm_segment_summary": dbt.ref("rfm_segment_summary"),
        "segment_model_registry": dbt.ref("segment_model_registry"),
        "segment_model_versions": dbt.ref("segment_model_versions"),
        "segment_lineage": dbt.ref("segment_lineage"),
        "segment_migrations": dbt.ref("segment_migrations"),
        "segment_quality": dbt.ref("segment_quality"),
    }
    sources = {name: relation.sql_query() for name, relation in marts.items()}
    build_id, command, empty = invocation()
    if command != "build" or empty:
        return skipped_manifest(session, sources, build_id)
    # Checked before anything is written: a wrong value fails the build, not a reader.
    storage_version = parse_storage_version(dbt.config.get("published_storage_version"))
    directory = resolve_directory(dbt.config.get("published_dir"), build_database_path(session))
    return publish_marts(session, sources, directory, build_id, storage_version=storage_version)
