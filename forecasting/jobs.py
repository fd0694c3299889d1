"""One series' unit of work, its input hash, and the worker that runs it in a process.

A job carries everything a fit depends on, so its hash is the cache key: two jobs with the same
hash would produce the same forecast, and the runner skips the second.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import time
from dataclasses import dataclass
from enum import StrEnum

import polars as pl

from forecasting.backtest import BacktestResult, holdout_scores
from forecasting.calendar import calendar_features
from forecasting.calibration import SeriesErrors, series_errors
from forecasting.selection import POLICY, ROLLING_HORIZON, choose


class Purpose(StrEnum):
    """A goal baseline is judged over the goal's period; a rolling forecast 90 days ahead."""

    GOAL = "goal"
    ROLLING = "rolling"


@dataclass(frozen=True)
class SeriesJob:
    metric: str
    team: str
    history: pl.DataFrame  # day, y; masked days are null
    masked: pl.Series  # the days left out, for the record and the page
    days: pl.Series  # the days to forecast
    festivals: pl.DataFrame  # event, start_day, end_day
    country: str | None
    purpose: Purpose

    def input_hash(self) -> str:
        """sha256 of the training series, masked days, calendar, country, days and policy."""
        digest = hashlib.sha256()
        first, last = self.history["day"].min() or self.days.min(), self.days.max()
        festivals = self.festivals.filter(
            (pl.col("end_day") >= first) & (pl.col("start_day") <= last)
        ).sort("event", "start_day")
        for part in (
            POLICY,
            {"country": self.country, "purpose": self.purpose.value},
            {"days": [str(self.days.min()), str(self.days.max()), self.days.len()]},
        ):
            digest.update(json.dumps(part, sort_keys=True, default=str).encode())
        for frame in (self.history.sort("day"), self.masked.to_frame(), festivals):
            digest.update(frame.write_csv().encode())
        return digest.hexdigest()

    def calendar(self) -> pl.DataFrame:
        """Calendar features over the history and the days to forecast."""
        first = min(self.history["day"].min(), self.days.min())
        return calendar_features(self.festivals, self.country, first, self.days.max())

    def first_day(self) -> dt.date:
        """The first day the forecast is used for: the goal's start, or the day after the data."""
        if self.purpose is Purpose.GOAL:
            return self.days.min()
        return self.history["day"].max() + dt.timedelta(days=1)

    def horizon(self) -> int:
        """Days ahead the forecast is judged over (the backtests' window length)."""
        if self.purpose is Purpose.GOAL:
            return self.days.len()
        return ROLLING_HORIZON


@dataclass(frozen=True)
class SeriesResult:
    metric: str
    team: str
    input_hash: str
    seconds: float
    forecast: pl.DataFrame | None = None  # day + forecast columns + masked
    settings_json: str | None = None
    selection_json: str | None = None
    errors: SeriesErrors | None = None  # what the intervals are calibrated from
    backtest: BacktestResult | None = None  # rolling runs: the last 90 days against naive
    error: str | None = None
    same_as: int | None = None  # a stored goal run with the same inputs: copy it, fit nothing

    @property
    def ok(self) -> bool:
        return self.error is None


def run_job(job: SeriesJob, input_hash: str) -> SeriesResult:
    """Backtest the candidates at the job's horizon, choose, fit and forecast; never raises."""
    started = time.perf_counter()
    try:
        if job.history.is_empty():
            raise ValueError(f"no observations before {job.days.min()}; a fit needs at least 14")
        selection = choose(job.history, job.calendar(), job.first_day(), job.horizon())
        forecast = selection.forecast(job.days)
        train_days = job.history["y"].drop_nulls().len()
        errors = series_errors(
            (job.metric, job.team), selection.backtests, train_days, selection.in_sample
        )
        backtest = None
        if job.purpose is Purpose.ROLLING and selection.backtests:
            backtest = holdout_scores(
                job.history, selection.backtests[0], selection.settings_json()
            )
    except Exception as error:  # a failing series is reported, never fatal to the others
        return SeriesResult(
            job.metric, job.team, input_hash, time.perf_counter() - started, error=_reason(error)
        )
    frame = forecast.with_columns(masked=pl.col("day").is_in(job.masked.implode()))
    return SeriesResult(
        job.metric,
        job.team,
        input_hash,
        time.perf_counter() - started,
        forecast=frame,
        settings_json=selection.settings_json(),
        selection_json=selection.to_json(),
        errors=errors,
        backtest=backtest,
    )


def _reason(error: Exception) -> str:
    text = str(error).strip().splitlines()[0] if str(error).strip() else ""
    return f"{type(error).__name__}: {text}" if text else type(error).__name__


def history_window(
    observations: pl.DataFrame, masked: pl.Series, before: dt.date | None, max_days: int
) -> pl.DataFrame:
    """`day, y` over the last `max_days` days with data before `before` (all data when None),
    one row per day; masked days and days without a row are null."""
    data = observations if before is None else observations.filter(pl.col("day") < before)
    if data.is_empty():
        return pl.DataFrame(schema={"day": pl.Date, "y": pl.Float64})
    last = data["day"].max()
    first = max(data["day"].min(), last - dt.timedelta(days=max_days - 1))
    days = pl.date_range(first, last, "1d", eager=True).alias("day")
    full = days.to_frame().join(data.select("day", y="value"), on="day", how="left")
    return full.with_columns(
        y=pl.when(pl.col("day").is_in(masked.implode())).then(None).otherwise(pl.col("y"))
    )
