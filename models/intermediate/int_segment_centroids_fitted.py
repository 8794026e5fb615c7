"""Candidate fits (K-Means unless segment_algorithm says otherwise) on the bounded
sample; the logic is customer_segmentation.clustering.

Settings come from vars through this model's YAML config, validated in
customer_segmentation.settings.
"""

from customer_segmentation.clustering import add_original_units, fit_segment_candidates
from customer_segmentation.frames import to_pandas
from customer_segmentation.settings import FitSettings


def model(dbt, session):
    dbt.config(materialized="table")
    # On its own line so that dbt sees the dependency.
    sample_relation = dbt.ref("int_customers_sampled")
    scaling_relation = dbt.ref("segment_feature_scaling")
    # dbt only passes the config keys it finds as literal dbt.config.get("...") calls in
    # this file, so each one is spelled out here.
    configured = {
        "segmentation_features": dbt.config.get("segmentation_features"),
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
    }
    settings = FitSettings.from_config(configured)
    # A DuckDB relation here, a pyspark DataFrame on Spark: both become pandas.
    sample = to_pandas(sample_relation)
    scaling = to_pandas(scaling_relation)
    return add_original_units(fit_segment_candidates(sample, settings), scaling)
