"""What readers get: the published database and Parquet files, and a Superset bundle."""
