"""Helpers the tests share: dbt runs, the machine's browser and environments, shared
input rows and exports shaped like real ones, the Spark pipeline runner."""
