"""Batch fits against the store: frozen goal baselines and rolling forecasts.

Each entry point reads its inputs, closes the store, fits in worker processes, then opens the
store again and writes every result in one transaction: the file is never held while models fit,
so the app and other commands can use it meanwhile.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING

import polars as pl

from forecasting import writes
from forecasting.inputs import StoreInputs, read_inputs, series_job
from forecasting.jobs import Purpose, SeriesJob, SeriesResult, run_job
from forecasting.model import date_range
from forecasting.pool import run_jobs
from forecasting.report import Outcome, Progress, RunReport, SeriesOutcome
from metrics.forecasts import reads as fs
from metrics.store.connection import open_store, transaction

if TYPE_CHECKING:  # pandas and pyarrow come with it: a refresh with nothing to fit needs neither
    from forecasting.spark_engine import SparkEngine


def freeze_goal_baseline(
    store_path: str | Path,
    goal: str,
    *,
    rebaseline: bool = False,
    workers: int | None = None,
    country: str | None = None,
    progress: Progress | None = None,
    engine: SparkEngine | None = None,
) -> RunReport:
    """Fit and freeze the natural baseline of every series `goal` needs, on data before its
    start, over its period. A frozen series is kept unless `rebaseline`, which supersedes the
    old runs (kept for audit) with new ones."""
    started = time.perf_counter()
    with open_store(store_path) as con:
        period = fs.goal_period(con, goal)
        series = fs.goal_series(con, goal)
        inputs = read_inputs(con, series, "goal", goal, country)
        kept = [] if rebaseline else _kept_goal_runs(inputs, series, period)
        hashed = _goal_jobs(inputs, period, series, kept)
        same = fs.goal_runs_by_hash(con, [digest for _, digest in hashed])
    to_fit = [(job, digest) for job, digest in hashed if digest not in same]
    fitted = iter(_fit(to_fit, workers, progress, engine))
    pairs = [
        (job, SeriesResult(job.metric, job.team, digest, 0.0, same_as=same[digest]))
        if digest in same
        else (job, next(fitted))
        for job, digest in hashed
    ]
    with open_store(store_path) as con, transaction(con):
        written = writes.write_goal_results(con, goal, pairs, rebaseline=rebaseline)
    return RunReport(
        "goal", goal, inputs.country, tuple(kept + written), time.perf_counter() - started
    )


def _goal_jobs(
    inputs: StoreInputs,
    period: fs.GoalPeriod,
    series: list[tuple[str, str]],
    kept: list[SeriesOutcome],
) -> list[tuple[SeriesJob, str]]:
    """A job (and its input hash) for every series not kept: trained before the goal's start,
    forecast over its period."""
    frozen = {(item.metric, item.team) for item in kept}
    days = date_range(period.start_day, period.end_day)
    jobs = [
        series_job(
            inputs,
            metric,
            team,
            before=period.start_day,
            days=days,
            purpose=Purpose.GOAL,
        )
        for metric, team in series
        if (metric, team) not in frozen
    ]
    return [(job, job.input_hash()) for job in jobs]


def _kept_goal_runs(
    inputs: StoreInputs, series: list[tuple[str, str]], period: fs.GoalPeriod
) -> list[SeriesOutcome]:
    """Series with a good frozen run stay as they are; the reason says when the goal's period
    has since moved away from what the run covers (only a re-baseline fixes that)."""
    ok = inputs.in_use.filter(pl.col("status") == "ok")
    columns = ("run", "metric", "team", "forecast_start", "forecast_end")
    kept = []
    for run, metric, team, first, last in ok.select(columns).iter_rows():
        if (metric, team) not in series:
            continue
        reason = f"frozen baseline kept (run {run}); pass --rebaseline to refit"
        if (first, last) != (period.start_day, period.end_day):
            reason = (
                f"STALE: frozen run {run} covers {first}..{last}, not the goal's period "
                f"{period.start_day}..{period.end_day}; pass --rebaseline to refit"
            )
        kept.append(SeriesOutcome(metric, team, Outcome.SKIPPED, reason, run))
    return kept


def refresh_rolling(
    store_path: str | Path,
    *,
    workers: int | None = None,
    country: str | None = None,
    progress: Progress | None = None,
    engine: SparkEngine | None = None,
) -> RunReport:
    """Refresh the forecast ahead of every stored series, refitting only the series whose
    inputs (data, masked days, calendar, country or settings policy) changed."""
    started = time.perf_counter()
    with open_store(store_path) as con:
        series = fs.stored_series(con)
        inputs = read_inputs(con, series, "rolling", None, country)
    jobs = [
        series_job(
            inputs,
            metric,
            team,
            before=None,
            days=None,
            purpose=Purpose.ROLLING,
        )
        for metric, team in series
    ]
    cached, todo = _split_cached(inputs, jobs)
    results = _fit(todo, workers, progress, engine)
    pairs = [(job, result) for (job, _), result in zip(todo, results, strict=True)]
    with open_store(store_path) as con, transaction(con):
        written = writes.write_rolling_results(con, pairs)
    return RunReport(
        "rolling", None, inputs.country, tuple(cached + written), time.perf_counter() - started
    )


def _split_cached(
    inputs: StoreInputs, jobs: list[SeriesJob]
) -> tuple[list[SeriesOutcome], list[tuple[SeriesJob, str]]]:
    """Jobs whose input hash matches the good run in use are skipped."""
    ok = inputs.in_use.filter(pl.col("status") == "ok")
    current = {
        (m, t, h): run
        for run, m, t, h in ok.select("run", "metric", "team", "input_hash").iter_rows()
    }
    cached, todo = [], []
    for job in jobs:
        digest = job.input_hash()
        run = current.get((job.metric, job.team, digest))
        if run is None:
            todo.append((job, digest))
        else:
            reason = f"inputs unchanged since run {run}"
            cached.append(SeriesOutcome(job.metric, job.team, Outcome.SKIPPED, reason, run))
    return cached, todo


def _fit(
    jobs: list[tuple[SeriesJob, str]],
    workers: int | None,
    progress: Progress | None,
    engine: SparkEngine | None,
) -> list[SeriesResult]:
    """Where the series fit: the local process pool, or Spark when an engine is given."""
    if engine is None:
        return run_jobs(jobs, workers=workers, progress=progress)
    return engine.run_jobs(jobs, run_job, progress=progress)
