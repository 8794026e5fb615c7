"""The segmentation report: one self-contained HTML file made from the published database.

    python -m customer_segmentation.report [--database PATH] [--output PATH] [--max-points N]

It opens the published DuckDB file read-only (so it runs while dbt builds, and never
blocks a build), reads the marts, and writes one HTML file with plotly.js embedded:
it opens offline in any browser. What the exploration notebooks showed as plots, for
whatever columns the build segmented on: distributions, the choice of k, the segments
in 2D and 3D, a card per persona, and what happened to the input rows.

queries reads the marts, figures draws the charts, page writes the HTML; __main__ is
the command.
"""
