"""One series' fit: components that add up, intervals around the forecast, sampled paths, and the
transforms each setting implies."""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl
import pytest

from forecasting.calendar import calendar_features
from forecasting.model import Mode, Settings, fit_predict
from forecasting.selection import FALLBACK, GRID, candidates_for, choose_settings, winner
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


NO_LOG = (*[s for s in GRID if not s.log], FALLBACK)
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
def test_components_add_up_to_the_forecast_inside_its_interval(settings):
    forecast = fit_predict(daily(), AHEAD, calendar(), settings, samples=50).frame
    parts = forecast["trend"] + forecast["weekly"] + forecast["yearly"] + forecast["calendar"]
    # log fits leave out the parts' interaction terms, so they add up only approximately
    tolerance = 0.02 if settings.log else 1e-6
    assert ((parts / forecast["yhat"] - 1).abs() < tolerance).all()
    inside = (forecast["yhat_lower"] <= forecast["yhat"]) & (
        forecast["yhat"] <= forecast["yhat_upper"]
    )
    assert inside.all()
    assert forecast["weekly"].std() > 0 and forecast["trend"].min() > 0


def test_sampled_paths_cover_every_day_and_centre_on_the_forecast():
    result = fit_predict(daily(), AHEAD, calendar(), Settings(log=True), samples=40, seed=3)
    assert result.samples.shape == (40 * 60, 3)
    assert result.samples.group_by("day").len()["len"].unique().to_list() == [40]
    mean = result.samples.group_by("day").agg(pl.col("value").mean()).join(result.frame, on="day")
    assert ((mean["value"] / mean["yhat"] - 1).abs() < 0.05).all()


def test_a_log_fit_takes_a_series_with_a_few_zero_days():
    history = daily(zeros=3)
    forecast = fit_predict(history, AHEAD, calendar(), Settings(log=True)).frame
    assert forecast["yhat"].is_finite().all() and forecast["yhat"].min() > 0


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ([1.0, 2.0, 3.0], GRID),
        ([0.0, 2.0, 3.0], GRID),  # a zero day: log fits shift it
        ([0.0, 0.0, 3.0], NO_LOG),  # mostly zeros
        ([-1.0, 2.0, 3.0], NO_LOG),  # negatives
    ],
)
def test_candidates_depend_on_what_values_the_series_takes(values, expected):
    assert candidates_for(pl.Series(values)) == expected


def test_settings_are_chosen_on_the_training_days_and_calibrate_the_interval():
    history = daily(seed=4)
    selection = choose_settings(history, calendar(), horizon=60)
    assert {s for s, _ in selection.scores} == set(GRID)
    best = selection.scores[winner([score for _, score in selection.scores])][0]
    assert selection.settings.log == best.log
    assert selection.settings.changepoint_prior == best.changepoint_prior
    assert selection.coverage is not None and selection.coverage >= 0.8


@pytest.mark.parametrize(
    ("scores", "chosen"),
    [
        ([0.0172, 0.0164, 0.0178], 0),  # the flexible trend wins by a hair: keep the stiff one
        ([0.0200, 0.0150, 0.0178], 1),  # clearly better: take it
        ([0.0300, 0.0300, 0.0100], 2),
        ([0.0100, 0.0100, 0.0100], 0),  # ties go to the stiffest
    ],
)
def test_a_more_flexible_trend_must_be_clearly_better_to_be_chosen(scores, chosen):
    assert winner(scores) == chosen
