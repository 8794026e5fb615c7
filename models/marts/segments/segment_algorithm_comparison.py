"""K-Means next to a Gaussian mixture, Ward and DBSCAN on the same customers; the logic
is customer_segmentation.in_dbt.algorithms.

Settings come from vars through this model's YAML config, validated in
customer_segmentation.in_dbt.settings and customer_segmentation.in_dbt.algorithms.
"""

from customer_segmentation.in_dbt.algorithms import (
    algorithm_comparison,
    parse_comparison_sample_size,
    selected_k,
)
from customer_segmentation.in_dbt.frames import to_pandas
from customer_segmentation.in_dbt.settings import FitSettings


def model(dbt, session):
    dbt.config(materialized="table")
    # On its own line so that dbt sees the dependency.
    sample_relation = dbt.ref("int_customers_sampled")
    fitted_relation = dbt.ref("int_segment_candidates_fitted")
    # dbt only passes the config keys it finds as literal dbt.config.get("...") calls in
    # this file, so each one is spelled out here.
    configured = {
        "segment_random_state": dbt.config.get("segment_random_state"),
        "segment_n_init": dbt.config.get("segment_n_init"),
        "silhouette_sample_size": dbt.config.get("silhouette_sample_size"),
    }
    settings = FitSettings.from_config(configured)
    row_limit = parse_comparison_sample_size(dbt.config.get("algorithm_comparison_sample_size"))
    # A DuckDB relation here, a pyspark DataFrame on Spark: both become pandas.
    sample = to_pandas(sample_relation)
    k = selected_k(to_pandas(fitted_relation))
    return algorithm_comparison(sample, k, settings, row_limit)
