"""Backtests: hold out the last days, choose the model and fit on the rest, score both the
natural model and seasonal-naive on the held-out days, and the calibrated daily band's coverage.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

import numpy as np
import polars as pl

from forecasting.calendar import calendar_features, check_country
from forecasting.calibration import DAYS_PER_YEAR, calibrate, series_errors
from forecasting.model import MAX_TRAIN_DAYS
from forecasting.scoring import Accuracy, accuracy, seasonal_naive
from forecasting.selection import OriginBacktest, choose
from forecasting.series_input import MIN_TRAIN_DAYS, check_history, to_history
from metrics.stats import Z80
from metrics.store.calendar import default_market_calendar


@dataclass(frozen=True)
class BacktestResult:
    """`train_days`: observed days the model was fitted on (at most the last three years)."""

    model: Accuracy
    seasonal_naive: Accuracy
    horizon: int
    train_days: int
    settings_json: str  # the chosen candidate and its fits (Selection.settings_json)

    def to_dict(self) -> dict:
        """The `dataops backtest --format json` shape."""
        return {
            "model": {
                "mape": self.model.mape,
                "smape": self.model.smape,
                "coverage": self.model.coverage,
            },
            "seasonal_naive": {
                "mape": self.seasonal_naive.mape,
                "smape": self.seasonal_naive.smape,
            },
            "horizon": self.horizon,
            "train_days": self.train_days,
            "chosen": json.loads(self.settings_json),
        }


def backtest_series(
    frame_ds_y: pl.DataFrame,
    horizon: int,
    *,
    country: str | None = "CN",
    festivals: pl.DataFrame | None = None,
    source: str = "input",
) -> BacktestResult:
    """Backtest a daily `ds, y` frame over its last `horizon` days.

    The model is chosen on the training days alone. `festivals` (event, start_day, end_day)
    defaults to the built-in e-commerce calendar for CN and to none elsewhere: those festivals
    are Chinese. Bad input raises `ValidationFailed` naming every problem.
    """
    history = to_history(frame_ds_y, source=source)
    check_history(history, horizon, source=source)
    code = check_country(country) if country else None
    first, last = history["day"].min(), history["day"].max()
    if festivals is None:
        festivals = (
            default_market_calendar(range(first.year, last.year + 1))
            if code == "CN"
            else pl.DataFrame(schema={"event": pl.String, "start_day": pl.Date, "end_day": pl.Date})
        )
    calendar = calendar_features(festivals, code, first, last)
    return backtest_history(history, horizon, calendar)


def backtest_history(
    history: pl.DataFrame, horizon: int, calendar: pl.DataFrame | None
) -> BacktestResult:
    """`history` is `day, y`, one row per day (y null where unknown or masked). The daily band
    is the one the store would show: calibrated on the training days' own backtests."""
    cut = history["day"].max() - dt.timedelta(days=horizon)
    train = history.filter(pl.col("day") <= cut)
    held = history.filter((pl.col("day") > cut) & pl.col("y").is_not_null())
    observed = train.filter(pl.col("y").is_not_null())
    if observed.height < MIN_TRAIN_DAYS or held.is_empty():
        raise ValueError(
            f"{observed.height} observed training days before the last {horizon}; "
            f"a backtest needs at least {MIN_TRAIN_DAYS} and a held-out day with a value"
        )
    selection = choose(train, calendar, cut + dt.timedelta(days=1), horizon)
    predicted = selection.forecast(held["day"])["yhat"].to_numpy()
    train_days = observed.filter(pl.col("day") > cut - dt.timedelta(days=MAX_TRAIN_DAYS)).height
    errors = series_errors(
        ("series", "input"), selection.backtests, train_days, selection.in_sample
    )
    band = calibrate([errors])[errors.key]
    ahead = (held["day"] - cut).dt.total_days().to_numpy() / DAYS_PER_YEAR
    half = (
        Z80
        * np.abs(predicted)
        * np.sqrt(band.level_sd**2 + (band.slope_sd * ahead) ** 2 + band.noise_sd**2)
    )
    actual = held["y"].to_numpy()
    return BacktestResult(
        model=accuracy(actual, predicted, predicted - half, predicted + half),
        seasonal_naive=accuracy(actual, seasonal_naive(train, held["day"])),
        horizon=horizon,
        train_days=train_days,
        settings_json=selection.settings_json(),
    )


def holdout_scores(
    history: pl.DataFrame, backtest: OriginBacktest, settings_json: str
) -> BacktestResult:
    """The chosen model's accuracy on one of its selection backtests, against seasonal-naive
    fitted on the same training days (a rolling run's accuracy on the Forecasts page)."""
    held = backtest.frame.filter(pl.col("y").is_not_null())
    train = history.filter(pl.col("day") < backtest.start)
    actual = held["y"].to_numpy()
    return BacktestResult(
        model=accuracy(actual, held["yhat"].to_numpy()),
        seasonal_naive=accuracy(actual, seasonal_naive(train, held["day"])),
        horizon=backtest.frame.height,
        train_days=backtest.train_days,
        settings_json=settings_json,
    )
