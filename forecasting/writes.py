"""Write fitted series to the store: runs, forecast rows, sampled paths and backtests.

Called inside one transaction after the fits. The runs in use are read again here, not taken
from before the fits, so a baseline frozen meanwhile by another command is respected.
"""

from __future__ import annotations

import datetime as dt

import duckdb
import polars as pl

from forecasting.jobs import SeriesJob, SeriesResult
from forecasting.report import Outcome, SeriesOutcome
from metrics.forecasts import reads as fs


def write_goal_results(
    con: duckdb.DuckDBPyConnection,
    goal: str,
    pairs: list[tuple[SeriesJob, SeriesResult]],
    *,
    rebaseline: bool,
) -> list[SeriesOutcome]:
    """A good fit supersedes the series' runs in use; a failed one supersedes only earlier
    failures, so a re-baseline that fails keeps the previous baseline in use."""
    at = _now()
    in_use = fs.runs_in_use(con, "goal", goal)
    outcomes = []
    for job, result in pairs:
        ok_runs, failed_runs = _runs_of(in_use, job)
        if ok_runs and not rebaseline:
            reason = f"frozen meanwhile by another command (run {ok_runs[0]}); kept"
            outcomes.append(_outcome(job, Outcome.SKIPPED, reason, ok_runs[0]))
            continue
        fs.supersede_runs(con, (ok_runs if result.ok else []) + failed_runs, at)
        if result.same_as is not None:
            run = fs.copy_goal_run(con, result.same_as, goal, at)
            reason = f"same inputs as run {result.same_as}: its forecast was copied, not refitted"
            outcomes.append(_outcome(job, Outcome.SKIPPED, reason, run))
            continue
        run = fs.insert_run(con, _record(job, result, "goal", goal, at))
        if result.ok:
            fs.insert_forecast(con, run, result.forecast)
            fs.insert_samples(con, run, result.samples)
            outcomes.append(_outcome(job, Outcome.FITTED, None, run, result.seconds))
        else:
            kept = f"; baseline run {ok_runs[0]} stays in use" if ok_runs else ""
            outcomes.append(_outcome(job, Outcome.FAILED, result.error + kept, run, result.seconds))
    return outcomes


def write_rolling_results(
    con: duckdb.DuckDBPyConnection, pairs: list[tuple[SeriesJob, SeriesResult]]
) -> list[SeriesOutcome]:
    """A good fit replaces the series' rolling runs (a cache, so the old rows are deleted); a
    failed one replaces only earlier failures and leaves the last good forecast in place."""
    at = _now()
    in_use = fs.runs_in_use(con, "rolling", None)
    outcomes = []
    for job, result in pairs:
        ok_runs, failed_runs = _runs_of(in_use, job)
        fs.delete_runs(con, (ok_runs if result.ok else []) + failed_runs)
        run = fs.insert_run(con, _record(job, result, "rolling", None, at))
        if not result.ok:
            outcomes.append(_outcome(job, Outcome.FAILED, result.error, run, result.seconds))
            continue
        fs.insert_forecast(con, run, result.forecast)
        if result.backtest is not None:
            fs.insert_backtest(con, run, job.metric, job.team, _backtest_row(result, at))
        outcomes.append(_outcome(job, Outcome.FITTED, None, run, result.seconds))
    return outcomes


def _runs_of(in_use: pl.DataFrame, job: SeriesJob) -> tuple[list[int], list[int]]:
    mine = in_use.filter(pl.col("metric") == job.metric, pl.col("team") == job.team)
    ok = mine.filter(pl.col("status") == "ok")["run"].to_list()
    failed = mine.filter(pl.col("status") == "failed")["run"].to_list()
    return ok, failed


def _record(
    job: SeriesJob, result: SeriesResult, purpose: str, goal: str | None, at: dt.datetime
) -> fs.RunRecord:
    observed = job.history.filter(pl.col("y").is_not_null())["day"]
    return fs.RunRecord(
        purpose=purpose,
        goal=goal,
        metric=job.metric,
        team=job.team,
        input_hash=result.input_hash,
        settings=result.settings_json or "{}",
        selection=result.selection_json,
        country=job.country,
        masked_days=job.masked.len(),
        train_start=observed.min(),
        train_end=observed.max(),
        forecast_start=job.days.min(),
        forecast_end=job.days.max(),
        created_at=at,
        fit_seconds=result.seconds,
        status="ok" if result.ok else "failed",
        error=result.error,
    )


def _backtest_row(result: SeriesResult, at: dt.datetime) -> dict:
    backtest = result.backtest
    assert backtest is not None
    return {
        "input_hash": result.input_hash,
        "horizon": backtest.horizon,
        "settings": backtest.settings.to_json(),
        "created_at": at,
        "train_days": backtest.train_days,
        "model_mape": backtest.model.mape,
        "model_smape": backtest.model.smape,
        "coverage": backtest.model.coverage,
        "naive_mape": backtest.seasonal_naive.mape,
        "naive_smape": backtest.seasonal_naive.smape,
    }


def _outcome(
    job: SeriesJob,
    outcome: Outcome,
    reason: str | None,
    run: int | None,
    seconds: float = 0.0,
) -> SeriesOutcome:
    return SeriesOutcome(job.metric, job.team, outcome, reason, run, seconds)


def _now() -> dt.datetime:
    return dt.datetime.now().replace(microsecond=0)
