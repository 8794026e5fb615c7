"""Python code of the customer segmentation dbt project, by role:

- in_dbt: what the dbt Python models import and run inside the build (settings,
  DataFrame conversion, clustering, the other algorithms, segment identity and names,
  metrics); the model files only wire dbt in and out, so pytest tests this directly;
- publication: the published database and Parquet files for readers, and the Superset
  bundle that reads them;
- report: the HTML segmentation report (its data queries, figures and page);
- devtools: developer tools (benchmark, quality sweep, planted data, seed generator).
"""
