"""Backtests: hold out the last days, choose settings and fit on the rest, score both the
natural model and seasonal-naive on the held-out days."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import polars as pl

from forecasting.calendar import calendar_features, check_country
from forecasting.model import MAX_TRAIN_DAYS, Settings, fit_predict
from forecasting.scoring import Accuracy, accuracy, seasonal_naive
from forecasting.selection import choose_settings
from forecasting.series_input import MIN_TRAIN_DAYS, check_history, to_history
from metrics.store.calendar import default_market_calendar


@dataclass(frozen=True)
class BacktestResult:
    """`train_days`: observed days the model was fitted on (at most the last three years)."""

    model: Accuracy
    seasonal_naive: Accuracy
    horizon: int
    train_days: int
    settings: Settings

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
        }


def backtest_series(
    frame_ds_y: pl.DataFrame,
    horizon: int,
    *,
    country: str | None = "CN",
    settings: Settings | None = None,
    festivals: pl.DataFrame | None = None,
    source: str = "input",
) -> BacktestResult:
    """Backtest a daily `ds, y` frame over its last `horizon` days.

    Settings are chosen on the training days alone unless given. `festivals` (event, start_day,
    end_day) defaults to the built-in e-commerce calendar for CN and to none elsewhere: those
    festivals are Chinese. Bad input raises `ValidationFailed` naming every problem.
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
    return backtest_history(history, horizon, calendar, settings)


def backtest_history(
    history: pl.DataFrame,
    horizon: int,
    calendar: pl.DataFrame | None,
    settings: Settings | None = None,
) -> BacktestResult:
    """`history` is `day, y`, one row per day (y null where unknown or masked)."""
    cut = history["day"].max() - dt.timedelta(days=horizon)
    train = history.filter(pl.col("day") <= cut)
    held = history.filter((pl.col("day") > cut) & pl.col("y").is_not_null())
    observed = train.filter(pl.col("y").is_not_null())
    if observed.height < MIN_TRAIN_DAYS or held.is_empty():
        raise ValueError(
            f"{observed.height} observed training days before the last {horizon}; "
            f"a backtest needs at least {MIN_TRAIN_DAYS} and a held-out day with a value"
        )
    chosen = settings or choose_settings(train, calendar, horizon).settings
    forecast = fit_predict(train, held["day"], calendar, chosen).frame
    actual = held["y"].to_numpy()
    naive = seasonal_naive(train, held["day"])
    return BacktestResult(
        model=accuracy(
            actual,
            forecast["yhat"].to_numpy(),
            forecast["yhat_lower"].to_numpy(),
            forecast["yhat_upper"].to_numpy(),
        ),
        seasonal_naive=accuracy(actual, naive),
        horizon=horizon,
        train_days=observed.filter(pl.col("day") > cut - dt.timedelta(days=MAX_TRAIN_DAYS)).height,
        settings=chosen,
    )
