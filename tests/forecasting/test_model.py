"""One series' fit: components that add up, trends that go on as chosen, and the model choice by
backtests of running totals at the horizon the forecast is used at."""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl
import pytest

from forecasting.calendar import calendar_features
from forecasting.model import Mode, Settings, Trend, fit, fit_predict
from forecasting.selection import (
    CANDIDATES,
    FALLBACK,
    FAMILIES,
    choose,
    families_for,
    origins,
    running_total_error,
    winner,
)
from metrics.store.calendar import default_market_calendar

pytestmark = pytest.mark.slow
FIRST, LAST = dt.date(2023, 1, 1), dt.date(2024, 12, 31)


def daily(seed: int = 1, *, level: float = 1000.0, zeros: int = 0) -> pl.DataFrame:
    """Two years of a weekly + yearly multiplicative series with a Double 11 peak."""
    rng = np.random.default_rng(seed)
    days = pl.date_range(FIRST, LAST, "1d", eager=True)
    weekday = days.dt.weekday().to_numpy()
    yearly = 0.1 * np.sin(2 * np.pi * days.dt.ordinal_day().to_numpy() / 365.25)
    peak = ((days.dt.month() == 11) & (days.dt.day() <= 11)).to_numpy() * 0.3
    y = level * np.exp(0.05 * (weekday >= 6) + yearly + peak + rng.normal(0, 0.02, len(days)))
    y[:zeros] = 0.0
    return pl.DataFrame({"day": days, "y": y})


def calendar(first=FIRST, last=LAST + dt.timedelta(days=60)) -> pl.DataFrame:
    return calendar_features(default_market_calendar(range(2022, 2026)), "CN", first, last)


NO_LOG = (FAMILIES[0], FALLBACK)
AHEAD = pl.date_range(LAST + dt.timedelta(days=1), LAST + dt.timedelta(days=60), eager=True)


@pytest.mark.parametrize(
    "settings",
    [
        Settings(mode=Mode.ADDITIVE),
        Settings(mode=Mode.MULTIPLICATIVE),
        Settings(log=True, changepoint_prior=0.01),
    ],
    ids=["additive", "multiplicative", "log"],
)
def test_components_add_up_to_the_forecast(settings):
    forecast = fit_predict(daily(), AHEAD, calendar(), settings)
    parts = forecast["trend"] + forecast["weekly"] + forecast["yearly"] + forecast["calendar"]
    # log fits leave out the parts' interaction terms, so they add up only approximately
    tolerance = 0.02 if settings.log else 1e-6
    assert ((parts / forecast["yhat"] - 1).abs() < tolerance).all()
    assert forecast["weekly"].std() > 0 and forecast["trend"].min() > 0


def growing(slope: float) -> pl.DataFrame:
    """`daily()` on a trend that rises by `slope` of the starting level a year."""
    frame = daily(seed=2)
    years = np.arange(frame.height) / 365.25
    return frame.with_columns(y=pl.col("y") * (1 + slope * years))


@pytest.mark.parametrize("mode", [Mode.ADDITIVE, Mode.MULTIPLICATIVE])
def test_a_damped_trend_grows_less_than_the_linear_one_and_a_flat_one_not_at_all(mode):
    fitted = fit(growing(0.3), calendar(), Settings(mode=mode))
    linear, damped, flat = (fitted.predict(AHEAD, trend)["trend"] for trend in Trend)
    assert linear[-1] > damped[-1] > flat[-1]
    assert flat.n_unique() == 1 and damped.is_sorted()
    # the first day after the training is where the three still agree
    assert damped[0] == pytest.approx(linear[0], rel=1e-3)


def test_a_log_fit_takes_a_series_with_a_few_zero_days():
    history = daily(zeros=3)
    forecast = fit_predict(history, AHEAD, calendar(), Settings(log=True))
    assert forecast["yhat"].is_finite().all() and forecast["yhat"].min() > 0


def test_settings_of_an_older_policy_still_read():
    old = '{"mode": "multiplicative", "changepoint_prior": 0.05, "seasonality_prior": 10.0,'
    old += ' "holidays_prior": 10.0, "log": true, "interval_width": 0.9}'
    assert Settings.from_json(old) == Settings(changepoint_prior=0.05, log=True)


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ([1.0, 2.0, 3.0], FAMILIES),
        ([0.0, 2.0, 3.0], FAMILIES),  # a zero day: log fits shift it
        ([0.0, 0.0, 3.0], NO_LOG),  # mostly zeros
        ([-1.0, 2.0, 3.0], NO_LOG),  # negatives
    ],
)
def test_families_depend_on_what_values_the_series_takes(values, expected):
    assert families_for(pl.Series(values)) == expected


def long_history(years: int = 4) -> pl.DataFrame:
    days = pl.date_range(dt.date(2020, 1, 1), dt.date(2020 + years, 1, 1), eager=True)
    return pl.DataFrame({"day": days, "y": np.ones(len(days))})


@pytest.mark.parametrize(
    ("first_day", "horizon", "expected"),
    [
        (dt.date(2024, 1, 1), 365, [365, 548]),  # a goal: one and one and a half years back
        (dt.date(2022, 1, 1), 365, [182]),  # two years of history: the short origin only
        (dt.date(2024, 1, 2), 90, [90, 180]),  # rolling: the next 90 days, twice
        (dt.date(2021, 3, 1), 90, []),  # under 540 days before any origin: no backtest
    ],
)
def test_backtests_start_where_the_forecast_will_be_used(first_day, horizon, expected):
    starts = origins(long_history(), first_day, horizon)
    assert [(first_day - start).days for start in starts] == expected


def test_running_total_error_is_the_relative_miss_of_the_window_totals():
    days = pl.date_range(dt.date(2024, 1, 1), dt.date(2024, 3, 30), eager=True)  # 90 days
    frame = pl.DataFrame({"day": days, "y": np.full(90, 110.0), "yhat": np.full(90, 100.0)})
    assert running_total_error(frame) == pytest.approx(0.10)
    masked = frame.with_columns(y=pl.when(pl.col("day").dt.day() == 1).then(None).otherwise("y"))
    assert running_total_error(masked) == pytest.approx(0.10)  # masked days count on neither side


def names(*pairs) -> dict[str, list[float]]:
    scores = dict(pairs)
    return {c.name: scores.get(c.name, [1.0, 1.0]) for c in CANDIDATES}


@pytest.mark.parametrize(
    ("scores", "chosen"),
    [
        (names(("blend", [0.02, 0.02]), ("linear", [0.012, 0.009])), "blend"),  # not clearly
        (names(("blend", [0.02, 0.02]), ("linear", [0.009, 0.009])), "linear"),  # halved
        (names(("blend", [0.02, 0.02]), ("compound", [0.001, 0.03])), "blend"),  # one origin
        (
            names(("blend", [0.04, 0.04]), ("linear", [0.01, 0.01]), ("blend flat", [0.005] * 2)),
            "blend flat",  # of two clear challengers, the lower
        ),
        ({c.name: [] for c in CANDIDATES}, "blend"),  # no backtest: the default
    ],
)
def test_a_challenger_must_halve_the_defaults_error_at_every_origin(scores, chosen):
    assert CANDIDATES[winner(scores)].name == chosen


def test_the_choice_is_made_on_training_days_and_recorded_with_its_backtests():
    history = long_history(4).with_columns(
        y=pl.Series(daily(seed=5, level=1000.0)["y"]).extend(pl.Series(np.full(1462 - 731, 1000.0)))
    )
    first_day = dt.date(2024, 1, 2)
    selection = choose(history, None, first_day, horizon=365)
    assert [b.start for b in selection.backtests] == origins(history, first_day, 365)
    assert all(b.frame["day"].max() < first_day for b in selection.backtests)
    assert set(selection.scores) == {c.name for c in CANDIDATES}
    forecast = selection.forecast(pl.date_range(first_day, dt.date(2024, 3, 31), eager=True))
    assert forecast.height == 90 and forecast["yhat"].is_finite().all()
