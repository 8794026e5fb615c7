"""Candidate fits (K-Means unless segment_algorithm says otherwise) on the bounded
sample, one row per candidate k, segment and model dimension; the logic is
customer_segmentation.in_dbt.clustering.

Settings come from vars through this model's YAML config, validated in
customer_segmentation.in_dbt.settings. The sample's columns are the model space prepared in
SQL, so nothing here names a feature.
"""

from customer_segmentation.in_dbt.clustering import fit_segment_candidates
from customer_segmentation.in_dbt.frames import to_pandas
from customer_segmentation.in_dbt.settings import FitSettings


def model(dbt, session):
    dbt.config(materialized="table")
    # On its own line so that dbt sees the dependency.
    sample_relation = dbt.ref("int_customers_sampled")
    # dbt only passes the config keys it finds as literal dbt.config.get("...") calls in
    # this file, so each one is spelled out here.
    configured = {
        "segment_k_min": dbt.config.get("segment_k_min"),
        "segment_k_max": dbt.config.get("segment_k_max"),
        "segment_count": dbt.config.get("segment_count"),
        "segment_random_state": dbt.config.get("segment_random_state"),
        "segment_n_init": dbt.config.get("segment_n_init"),
        "silhouette_sample_size": dbt.config.get("silhouette_sample_size"),
        "segment_selection_sample_size": dbt.config.get("segment_selection_sample_size"),
        "outlier_iqr_multiplier": dbt.config.get("outlier_iqr_multiplier"),
        "stability_resample_count": dbt.config.get("stability_resample_count"),
        "segment_algorithm": dbt.config.get("segment_algorithm"),
        "segment_k_rule": dbt.config.get("segment_k_rule"),
        "gap_reference_count": dbt.config.get("gap_reference_count"),
        "dbscan_eps": dbt.config.get("dbscan_eps"),
        "dbscan_min_samples": dbt.config.get("dbscan_min_samples"),
    }
    settings = FitSettings.from_config(configured)
    # A DuckDB relation here, a pyspark DataFrame on Spark: both become pandas.
    return fit_segment_candidates(to_pandas(sample_relation), settings)
