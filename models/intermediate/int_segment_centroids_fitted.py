"""K-Means candidates on the bounded sample; the logic is customer_segmentation.clustering.

Settings come from vars through this model's YAML config, validated in
customer_segmentation.settings.
"""

from customer_segmentation.clustering import fit_segment_candidates
from customer_segmentation.settings import FitSettings


def model(dbt, session):
    dbt.config(materialized="table")
    # On its own line so that dbt sees the dependency.
    sample_relation = dbt.ref("int_customers_sampled")
    settings = FitSettings.from_config(dbt.config.get)
    sample = sample_relation.df()
    return fit_segment_candidates(sample, settings)
