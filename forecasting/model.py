"""One series' natural growth: a Prophet fit with a Polars surface.

Input is `day, y` (y null on masked or missing days: Prophet fits around them and still predicts
them) and the calendar features of `forecasting.calendar`. Output is `day, yhat, trend, weekly,
yearly, calendar`, all in the series' own units. Intervals do not come from here: Prophet's
simulated paths assume independent daily noise and a correct model, and covered the truth far
less often than they claimed; `forecasting.calibration` learns them from backtests instead.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import json
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

import numpy as np
import polars as pl

from forecasting.quiet import silence_fitting_logs
from forecasting.stan_json import use_fast_stan_json

if TYPE_CHECKING:  # pandas and Prophet load when a model is fitted, not when a refresh that
    import pandas as pd  # finds nothing changed only reads and compares hashes


FORECAST_COLUMNS = ("yhat", "trend", "weekly", "yearly", "calendar")
# Below a year of history, yearly seasonality and trend cannot be told apart.
MIN_DAYS_FOR_YEARLY = 365
MIN_OBSERVED_DAYS = 14
# Only the last three years are fitted: on real series longer history made forecasts worse
# (CTA, Oct-Dec 2018: sMAPE 7.5% from three years vs 8.3% from eighteen) and fits 5x slower.
MAX_TRAIN_DAYS = 3 * 365
# A damped trend keeps this share of its daily change from one day to the next: after a month
# it grows at 86% of its last pace, after a year at 16% (a total of ~200 days' worth of growth).
DAMPING_PER_DAY = 0.995


class Mode(StrEnum):
    ADDITIVE = "additive"
    MULTIPLICATIVE = "multiplicative"


class Trend(StrEnum):
    """How the fitted trend goes on past the last training day."""

    LINEAR = "linear"  # as fitted
    DAMPED = "damped"  # its growth fades by DAMPING_PER_DAY a day
    FLAT = "flat"  # stays at the last training day's level


@dataclass(frozen=True)
class Settings:
    """What a fit may vary. `log` fits log(y) with additive terms (a multiplicative trend too)."""

    mode: Mode = Mode.MULTIPLICATIVE
    changepoint_prior: float = 0.05
    seasonality_prior: float = 10.0
    holidays_prior: float = 10.0
    log: bool = False

    def to_json(self) -> str:
        return json.dumps(dataclasses.asdict(self), sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> Settings:
        """Settings from JSON; keys of older policies (interval_width) are ignored."""
        values = json.loads(text)
        known = {f.name for f in dataclasses.fields(cls)}
        return cls(
            **{k: v for k, v in values.items() if k in known} | {"mode": Mode(values["mode"])}
        )

    def usable_for(self, y: pl.Series) -> bool:
        """A log fit needs values that are never negative and mostly positive."""
        observed = y.drop_nulls()
        return not self.log or bool(observed.min() >= 0 and observed.median() > 0)


@dataclass(frozen=True)
class Fitted:
    """A fitted model, its calendar columns, and how to undo its transform (log(y + offset))."""

    model: object
    settings: Settings
    offset: float
    calendar: pl.DataFrame  # day + the regressor columns the model was fitted with
    last_day: dt.date  # the last training day: a trend other than LINEAR bends after it

    def future(self, days: pl.Series) -> pd.DataFrame:
        frame = days.alias("day").to_frame().join(self.calendar, on="day", how="left")
        if frame.null_count().sum_horizontal().item():
            raise ValueError("the calendar does not cover every day to predict")
        return _to_pandas(frame.rename({"day": "ds"}))

    def back(self, values: np.ndarray) -> np.ndarray:
        return np.exp(values) - self.offset if self.settings.log else values

    def predict(self, days: pl.Series, trend: Trend = Trend.LINEAR) -> pl.DataFrame:
        """day + FORECAST_COLUMNS over `days`, the trend going on past the training as `trend`
        says (seasonality and calendar scale with it in multiplicative and log fits)."""
        point = self.model.predict(self.future(days))
        parts = _components(point, self.settings)
        frame = pl.DataFrame({"day": days, "yhat": self.back(point["yhat"].to_numpy()), **parts})
        return self.bend(frame, trend)

    def bend(self, frame: pl.DataFrame, trend: Trend) -> pl.DataFrame:
        """A LINEAR `predict` frame with its trend after the training as `trend` says: the
        candidates of a backtest share one prediction per fit."""
        if trend is Trend.LINEAR:
            return frame
        return _bend(frame, self.last_day, self._edge, trend, additive=self._additive())

    @functools.cached_property
    def _edge(self) -> tuple[float, float]:
        """The trend's level on the last training day and its change over the next day (the
        trend alone: a whole prediction would compute every seasonal component too)."""
        days = date_range(self.last_day, self.last_day + dt.timedelta(days=1))
        raw = self.model.predict_trend(self.model.setup_dataframe(self.future(days)))
        trend = np.exp(raw) if self.settings.log else np.asarray(raw)
        return float(trend[0]), float(trend[1] - trend[0])

    def _additive(self) -> bool:
        return not self.settings.log and self.settings.mode is Mode.ADDITIVE


def fit_predict(
    history: pl.DataFrame, days: pl.Series, calendar: pl.DataFrame | None, settings: Settings
) -> pl.DataFrame:
    """Fit on `history` (day, y) and predict `days`: day + FORECAST_COLUMNS."""
    return fit(history, calendar, settings).predict(days)


def _bend(
    frame: pl.DataFrame,
    last_day: dt.date,
    edge: tuple[float, float],
    trend: Trend,
    *,
    additive: bool,
) -> pl.DataFrame:
    """`frame` with the trend after `last_day` replaced by a damped or flat one."""
    level, slope = edge
    after = (frame["day"] - last_day).dt.total_days().to_numpy().astype(float)
    fitted = frame["trend"].to_numpy()
    if trend is Trend.FLAT:
        bent = np.full(len(frame), level)
    else:
        growth = DAMPING_PER_DAY * (1 - DAMPING_PER_DAY ** np.maximum(after, 0))
        bent = level + slope * growth / (1 - DAMPING_PER_DAY)
    new_trend = np.where(after > 0, bent, fitted)
    if additive:
        return frame.with_columns(
            yhat=frame["yhat"] + (new_trend - fitted), trend=pl.Series(new_trend)
        )
    ratio = np.divide(new_trend, fitted, out=np.ones_like(fitted), where=fitted != 0)
    return frame.with_columns(
        [pl.Series(name, frame[name].to_numpy() * ratio) for name in FORECAST_COLUMNS]
    )


def fit(history: pl.DataFrame, calendar: pl.DataFrame | None, settings: Settings) -> Fitted:
    """A fitted Prophet model (point estimates; sampling happens only when drawing).

    `calendar` (day + feature columns, see forecasting.calendar) must cover every day fitted
    and every day later predicted.
    """
    silence_fitting_logs()
    use_fast_stan_json()
    from forecasting.lean_prophet import lean_prophet

    Prophet = lean_prophet()  # Prophet itself, imported on first use: a second of start-up

    train = history.filter(pl.col("y").is_not_null())
    if not train.is_empty():
        first = train["day"].max() - dt.timedelta(days=MAX_TRAIN_DAYS - 1)
        train = train.filter(pl.col("day") >= first)
    if train.height < MIN_OBSERVED_DAYS:
        raise ValueError(
            f"only {train.height} observed days; a fit needs at least {MIN_OBSERVED_DAYS}"
        )
    if not settings.usable_for(train["y"]):
        raise ValueError("a log fit needs values that are never negative and mostly positive")
    span = (train["day"].max() - train["day"].min()).days + 1
    model = Prophet(
        growth="linear",
        yearly_seasonality=span >= MIN_DAYS_FOR_YEARLY,
        weekly_seasonality=True,
        daily_seasonality=False,
        seasonality_mode=Mode.ADDITIVE.value if settings.log else settings.mode.value,
        changepoint_prior_scale=settings.changepoint_prior,
        seasonality_prior_scale=settings.seasonality_prior,
        uncertainty_samples=0,
    )
    calendar = _useful_columns(calendar, train)
    for name in calendar.columns[1:]:
        model.add_regressor(name, prior_scale=settings.holidays_prior)
    y = train["y"].cast(pl.Float64).to_numpy()
    # A zero day (an outage) would be log(0): shift by a hundredth of the median instead.
    offset = 0.01 * float(np.median(y)) if settings.log and y.min() <= 0 else 0.0
    frame = train.join(calendar, on="day", how="left").with_columns(
        y=pl.Series(np.log(y + offset) if settings.log else y)
    )
    # Prophet's default L-BFGS. BFGS was 40% cheaper at the old changepoint priors (0.01-0.05),
    # but at 0.001 the Laplace prior's kink made it take 9 s on one demo series (L-BFGS: 0.3 s);
    # over the demo's GMV series the two agreed within 0.13% of the goal total.
    model.fit(_to_pandas(frame.rename({"day": "ds"})))
    return Fitted(model, settings, offset, calendar, train["day"].max())


def _useful_columns(calendar: pl.DataFrame | None, train: pl.DataFrame) -> pl.DataFrame:
    """Calendar columns renamed c0, c1, ... (Prophet reserves some names), keeping those that
    vary on the training days: a feature never seen in training cannot be estimated."""
    if calendar is None:
        return pl.DataFrame(schema={"day": pl.Date})
    seen = train.select("day").join(calendar, on="day", how="left")
    keep = [name for name in calendar.columns[1:] if (seen[name].max() or 0) > 0]
    return calendar.select("day", *[pl.col(name).alias(f"c{i}") for i, name in enumerate(keep)])


def _to_pandas(frame: pl.DataFrame) -> pd.DataFrame:
    import pandas as pd

    result = frame.to_pandas()
    result["ds"] = pd.to_datetime(result["ds"])
    return result


def _components(point: pd.DataFrame, settings: Settings) -> dict[str, np.ndarray]:
    """Trend, weekly, yearly and calendar in series units, adding up to yhat.

    Multiplicative parts are fractions of the trend and log parts are log-ratios; both are
    turned into units of the series (for log fits without the interaction terms, so they add
    up only approximately).
    """
    trend = point["trend"].to_numpy()
    calendar = "extra_regressors_" + ("additive" if settings.log else settings.mode.value)
    raw = {
        name: point[column].to_numpy() if column in point else np.zeros(len(point))
        for name, column in (("weekly", "weekly"), ("yearly", "yearly"), ("calendar", calendar))
    }
    if settings.log:
        level = np.exp(trend)
        return {"trend": level} | {name: level * np.expm1(v) for name, v in raw.items()}
    if settings.mode is Mode.MULTIPLICATIVE:
        return {"trend": trend} | {name: trend * v for name, v in raw.items()}
    return {"trend": trend} | raw


def date_range(start: dt.date, end: dt.date) -> pl.Series:
    return pl.date_range(start, end, "1d", eager=True).alias("day")
