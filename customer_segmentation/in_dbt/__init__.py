"""The code dbt's Python models import: it runs inside `dbt build`."""
