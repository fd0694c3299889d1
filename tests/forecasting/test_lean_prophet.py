"""LeanProphet fits and predicts what stock Prophet does, only without its per-regressor loops:
same parameters, same forecast columns, the same errors for the same bad input."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from forecasting.lean_prophet import lean_prophet
from forecasting.quiet import silence_fitting_logs

pytestmark = pytest.mark.slow
DAYS = pd.date_range("2023-01-01", "2025-06-30", freq="D")
AHEAD = pd.date_range("2025-07-01", "2025-12-31", freq="D")


def regressors(days: pd.DatetimeIndex, seed: int) -> pd.DataFrame:
    """A binary festival day, a 0-1 ramp before it, a count, and one that never varies."""
    rng = np.random.default_rng(seed)
    festival = ((days.month == 11) & (days.day == 11)).astype(float)
    ramp = np.where((days.month == 11) & (days.day < 11), days.day / 11, 0.0)
    return pd.DataFrame(
        {
            "festival": festival,
            "ramp": ramp,
            "count": rng.integers(0, 4, len(days)).astype(float),
            "never": np.zeros(len(days)),
        }
    )


def history(seed: int = 3, *, shuffled: bool = False) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    t = np.arange(len(DAYS))
    y = (1000 + 0.4 * t) * (1 + 0.1 * np.sin(2 * np.pi * t / 365.25)) + rng.normal(0, 20, len(t))
    frame = pd.concat([pd.DataFrame({"ds": DAYS, "y": y}), regressors(DAYS, seed)], axis=1)
    frame.loc[frame["ds"].dt.month == 11, "y"] *= 1 + 0.3 * frame["festival"]
    return frame.sample(frac=1, random_state=seed) if shuffled else frame


def future() -> pd.DataFrame:
    return pd.concat([pd.DataFrame({"ds": AHEAD}), regressors(AHEAD, 9)], axis=1)


def build(cls, mode: str, standardize):
    model = cls(
        seasonality_mode=mode,
        changepoint_prior_scale=0.001,
        weekly_seasonality=True,
        daily_seasonality=False,
        uncertainty_samples=0,
    )
    for name in ("festival", "ramp", "count", "never"):
        model.add_regressor(name, prior_scale=10.0, standardize=standardize)
    return model


@pytest.mark.parametrize(
    ("mode", "standardize", "shuffled"),
    [
        ("multiplicative", "auto", False),
        ("additive", "auto", False),
        ("multiplicative", True, True),
        ("additive", False, False),
    ],
)
def test_fits_and_forecasts_what_stock_prophet_does(mode, standardize, shuffled):
    from prophet import Prophet

    silence_fitting_logs()
    stock = build(Prophet, mode, standardize).fit(history(shuffled=shuffled), seed=1)
    lean = build(lean_prophet(), mode, standardize).fit(history(shuffled=shuffled), seed=1)

    for name in ("k", "m", "delta", "beta", "sigma_obs"):
        np.testing.assert_allclose(lean.params[name], stock.params[name], rtol=1e-9, atol=1e-12)
    assert lean.extra_regressors == stock.extra_regressors  # the same standardisation
    pd.testing.assert_frame_equal(lean.train_component_cols, stock.train_component_cols)
    assert lean.component_modes == stock.component_modes

    expected, got = stock.predict(future()), lean.predict(future())
    read = ["ds", "yhat", "trend", "weekly", "yearly", "additive_terms", "multiplicative_terms"]
    read += [f"extra_regressors_{mode}"]
    pd.testing.assert_frame_equal(got[read], expected[read], rtol=1e-9)
    assert not {"festival", "ramp", "count"} & set(got.columns)  # per-regressor columns left out


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (lambda f: f.drop(columns="ramp"), "Regressor 'ramp' missing from dataframe"),
        (
            lambda f: f.assign(count=np.where(f.index == 5, np.nan, f["count"])),
            "NaN in column 'count'",
        ),
    ],
    ids=["missing", "nan"],
)
def test_bad_future_is_refused_as_stock_prophet_refuses_it(damage, message):
    silence_fitting_logs()
    lean = build(lean_prophet(), "multiplicative", "auto").fit(history(), seed=1)
    with pytest.raises(ValueError, match=message):
        lean.predict(damage(future()))


def test_configurations_it_does_not_speed_up_go_through_stock_prophet():
    silence_fitting_logs()
    model = build(lean_prophet(), "additive", "auto")
    model.add_country_holidays("US")
    fitted = model.fit(history(), seed=1)
    forecast = fitted.predict(future())
    assert "festival" in forecast.columns  # stock Prophet's per-regressor component
    assert forecast["ds"].iloc[0].date() == dt.date(2025, 7, 1)
