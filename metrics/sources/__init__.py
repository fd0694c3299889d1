"""Sources: the store fills itself from a warehouse, Parquet files or CSV globs.

Owns the source definitions and their URI templates (`definitions`, `templates`: `${VAR}`
expanded from the environment at sync time only, so no secret is stored or shown), reading a
source into Polars (`readers`: PostgreSQL through ADBC, files through Polars), applying one batch
through the import rules, all or nothing (`batches`), the record of every run (`runs`) and how
fresh each source and metric is (`freshness`). May import `metrics.store` and `metrics.importing`.
"""
