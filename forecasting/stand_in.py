"""Fits without Prophet: results shaped as the runner's own, for measuring what the store keeps.

    refresh_rolling(path, engine=StandInEngine())   # every series in seconds, not hours

The runner hands its jobs to an engine (`run_jobs(jobs, fn, progress=...)`); this one answers
each job with what a real fit of it returns, minus the model: a forecast row per day asked for
(with components), the chosen candidate's backtests from the same origins and of the same
length, their running-total errors and noise (`series_errors`), a rolling run's holdout scores,
and settings and selection JSON of the real shape. The numbers are the series' own level a year
earlier with seeded noise, so a store written this way has a real run's tables and row counts
(its size is honest) but says nothing about accuracy. Used by `benchmarks/store_size_bench.py`
and the store-size tests.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl

from forecasting.backtest import holdout_scores
from forecasting.calibration import series_errors
from forecasting.jobs import Purpose, SeriesJob, SeriesResult
from forecasting.model import MAX_TRAIN_DAYS
from forecasting.report import Progress, noop_progress
from forecasting.selection import (
    CANDIDATES,
    IN_SAMPLE_DAYS,
    OriginBacktest,
    Selection,
    families_for,
    origins,
)

YEAR = 364  # a whole number of weeks, so a day a year back is the same weekday


class StandInEngine:
    """An engine for `forecasting.runner` that fits nothing (see the module docstring)."""

    def run_jobs(
        self, jobs: list[tuple[SeriesJob, str]], fn=None, *, progress: Progress | None = None
    ) -> list[SeriesResult]:
        progress = progress or noop_progress
        results = []
        for job, digest in jobs:
            results.append(stand_in_result(job, digest))
            progress(len(results), len(jobs), f"{job.metric} / {job.team}")
        return results


def stand_in_result(job: SeriesJob, input_hash: str) -> SeriesResult:
    """What `run_job` would return for `job`, without fitting (a job with no data fails, as
    there)."""
    if job.history["y"].drop_nulls().is_empty():
        return SeriesResult(job.metric, job.team, input_hash, 0.0, error="ValueError: no data")
    rng = np.random.default_rng(int(input_hash[:15], 16))
    level = _Level(job.history)
    backtests = tuple(
        _backtest(job.history, start, job.horizon(), level, rng)
        for start in origins(job.history, job.first_day(), job.horizon())
    )
    selection = Selection(
        CANDIDATES[0],
        families_for(job.history["y"]),
        {c.name: [float(abs(rng.normal(0, 0.03))) for _ in backtests] for c in CANDIDATES},
        backtests,
        final=(),
    )
    last = job.history["day"].max()
    recent = job.history.filter(pl.col("day") > last - dt.timedelta(days=IN_SAMPLE_DAYS))
    in_sample = recent.with_columns(yhat=level.at(recent["day"], rng))
    train_days = job.history["y"].drop_nulls().len()
    errors = series_errors((job.metric, job.team), backtests, train_days, in_sample)
    backtest = None
    if job.purpose is Purpose.ROLLING and backtests:
        backtest = holdout_scores(job.history, backtests[0], selection.settings_json())
    return SeriesResult(
        job.metric,
        job.team,
        input_hash,
        0.0,
        forecast=_forecast(job, level, rng),
        settings_json=selection.settings_json(),
        selection_json=selection.to_json(),
        errors=errors,
        backtest=backtest,
    )


class _Level:
    """The series' weekly mean level by day, filled over gaps; a day past the data takes the
    level of the same weekday a whole number of years earlier."""

    def __init__(self, history: pl.DataFrame) -> None:
        smooth = history["y"].rolling_mean(7, min_samples=1, center=True)
        self.first, self.last = history["day"].min(), history["day"].max()
        self.values = smooth.fill_null(strategy="forward").fill_null(strategy="backward")

    def at(self, days: pl.Series, rng: np.random.Generator) -> np.ndarray:
        offset = (days - self.first).dt.total_days().to_numpy()
        span = (self.last - self.first).days
        years = np.ceil(np.maximum(offset - span, 0) / YEAR)
        index = np.clip(offset - years * YEAR, 0, span).astype(np.int64)
        return self.values.to_numpy()[index] * np.exp(rng.normal(0, 0.02, len(index)))


def _forecast(job: SeriesJob, level: _Level, rng: np.random.Generator) -> pl.DataFrame:
    """day, yhat, trend, weekly, yearly, calendar, masked: a multiplicative fit's columns."""
    yhat = level.at(job.days, rng)
    trend = yhat * np.exp(rng.normal(0, 0.05, len(yhat)))
    relative = yhat / np.where(trend == 0, 1, trend) - 1
    calendar = np.where(rng.random(len(yhat)) < 0.05, relative * 0.3, 0.0)
    return pl.DataFrame(
        {
            "day": job.days,
            "yhat": yhat,
            "trend": trend,
            "weekly": (relative - calendar) * 0.6,
            "yearly": (relative - calendar) * 0.4,
            "calendar": calendar,
        }
    ).with_columns(masked=pl.col("day").is_in(job.masked.implode()))


def _backtest(
    history: pl.DataFrame, start: dt.date, horizon: int, level: _Level, rng: np.random.Generator
) -> OriginBacktest:
    """The window `choose` would score from `start`, with the fit's training days."""
    end = min(start + dt.timedelta(days=horizon - 1), history["day"].max())
    window = history.filter(pl.col("day").is_between(start, end)).select("day", "y")
    observed = history.filter(pl.col("day") < start, pl.col("y").is_not_null())["day"]
    first_used = observed.max() - dt.timedelta(days=MAX_TRAIN_DAYS - 1)
    train_days = int((observed >= first_used).sum())
    return OriginBacktest(start, train_days, window.with_columns(yhat=level.at(window["day"], rng)))
