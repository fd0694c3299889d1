"""What a front end names before it opens the store: the default file and the tables a user may
export. Imports neither DuckDB nor Polars, so `dataops COMMAND --help` can show them quickly."""

from __future__ import annotations

from pathlib import Path

DEFAULT_STORE = Path("data/dataops.duckdb")

# Every table a user has reason to see; internal bookkeeping (schema_version, settings, forecast
# samples, the demo's planted truth) stays out.
EXPORTABLE_TABLES: tuple[str, ...] = (
    "teams",
    "metrics",
    "observations",
    "initiatives",
    "goals",
    "goal_targets",
    "goal_overrides",
    "tactics",
    "goal_changes",
    "phases",
    "assignments",
    "checkins",
    "forecast_runs",
    "forecasts",
    "backtests",
    "market_calendar",
    "sources",
    "sync_runs",
    "metric_freshness",
)
