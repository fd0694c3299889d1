"""Writes to the forecast tables, as the runner makes them: runs, forecast rows, sampled paths,
backtests, and taking runs out of use. Called inside the caller's transaction.

Re-exported by `metrics.forecasts.reads`, whose contract names them. No prophet or pandas here.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import duckdb
import polars as pl


@dataclass(frozen=True)
class RunRecord:
    """One series' fit, as written to `forecast_runs` (settings and selection are JSON)."""

    purpose: str
    goal: str | None
    metric: str
    team: str
    input_hash: str
    settings: str
    selection: str | None
    country: str | None
    masked_days: int
    train_start: dt.date | None
    train_end: dt.date | None
    forecast_start: dt.date | None
    forecast_end: dt.date | None
    created_at: dt.datetime
    fit_seconds: float | None
    status: str
    error: str | None = None


def insert_run(con: duckdb.DuckDBPyConnection, record: RunRecord) -> int:
    """Write a run and return its id."""
    rows = con.execute(
        """
        insert into forecast_runs (purpose, goal, metric, team, input_hash, settings, selection,
            country, masked_days, train_start, train_end, forecast_start, forecast_end,
            created_at, fit_seconds, status, error)
        values ($purpose, $goal, $metric, $team, $input_hash, $settings, $selection, $country,
            $masked_days, $train_start, $train_end, $forecast_start, $forecast_end, $created_at,
            $fit_seconds, $status, $error)
        returning run
        """,
        record.__dict__,
    ).fetchall()
    return int(rows[0][0])


def copy_goal_run(con: duckdb.DuckDBPyConnection, source: int, goal: str, at: dt.datetime) -> int:
    """A new run of `goal` with the inputs, settings, forecast and samples of run `source`."""
    rows = con.execute(
        """
        insert into forecast_runs (purpose, goal, metric, team, input_hash, settings, selection,
            country, masked_days, train_start, train_end, forecast_start, forecast_end,
            created_at, fit_seconds, status, error)
        select purpose, $goal, metric, team, input_hash, settings, selection, country,
            masked_days, train_start, train_end, forecast_start, forecast_end, $at, 0.0,
            status, error
        from forecast_runs where run = $source
        returning run
        """,
        {"source": source, "goal": goal, "at": at},
    ).fetchall()
    run = int(rows[0][0])
    params = {"source": source, "run": run}
    con.execute(
        """
        insert into forecasts select $run, day, yhat, yhat_lower, yhat_upper, trend, weekly,
            yearly, calendar, masked
        from forecasts where run = $source
        """,
        params,
    )
    con.execute(
        "insert into forecast_samples select $run, sample, day, value"
        " from forecast_samples where run = $source",
        params,
    )
    return run


def insert_forecast(con: duckdb.DuckDBPyConnection, run: int, frame: pl.DataFrame) -> None:
    """`frame`: day, yhat, yhat_lower, yhat_upper, trend, weekly, yearly, calendar, masked."""
    con.execute(
        """
        insert into forecasts (run, day, yhat, yhat_lower, yhat_upper, trend, weekly, yearly,
            calendar, masked)
        select $run, day, yhat, yhat_lower, yhat_upper, trend, weekly, yearly, calendar, masked
        from frame
        """,
        {"run": run},
    )


def insert_samples(con: duckdb.DuckDBPyConnection, run: int, samples: pl.DataFrame) -> None:
    """`samples`: sample, day, value."""
    con.execute(
        "insert into forecast_samples select $run, sample, day, value from samples", {"run": run}
    )


def insert_backtest(
    con: duckdb.DuckDBPyConnection, run: int, metric: str, team: str, scores: dict
) -> None:
    """`scores` has input_hash, horizon, settings, created_at, train_days, model_mape,
    model_smape, coverage, naive_mape, naive_smape."""
    con.execute(
        """
        insert into backtests values ($run, $metric, $team, $input_hash, $horizon, $settings,
            $created_at, $train_days, $model_mape, $model_smape, $coverage, $naive_mape,
            $naive_smape)
        """,
        {"run": run, "metric": metric, "team": team, **scores},
    )


def supersede_runs(con: duckdb.DuckDBPyConnection, runs: list[int], at: dt.datetime) -> None:
    """Take goal runs out of use, keeping them (and their forecasts) for audit."""
    con.execute(
        "update forecast_runs set superseded_at = $at where list_contains($runs, run)",
        {"at": at, "runs": runs},
    )


def delete_runs(con: duckdb.DuckDBPyConnection, runs: list[int]) -> None:
    """Drop replaced rolling runs with their rows: the rolling forecast is a cache, not a record."""
    for table in ("forecasts", "forecast_samples", "backtests", "forecast_runs"):
        con.execute(
            f"delete from {table} where list_contains($runs, run)",  # noqa: S608 - fixed names
            {"runs": runs},
        )
