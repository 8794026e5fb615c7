"""Python logic behind the customer segmentation dbt project.

The dbt Python model only wires dbt in and out; everything it runs lives here so that
pytest can test it directly on small arrays.
"""
