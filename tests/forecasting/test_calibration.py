"""Intervals learnt from backtests: the error model's pieces, pooling, and the acceptance bar on a
family of generated companies."""

from __future__ import annotations

import datetime as dt
import os

import numpy as np
import polars as pl
import pytest

from forecasting.calibration import (
    ERROR_COLUMNS,
    Calibration,
    SeriesErrors,
    calibrate,
    series_errors,
)
from forecasting.selection import OriginBacktest
from metrics.stats import Z80, ar1_sum_variance

START = dt.date(2024, 1, 1)


def backtest(level: float, slope: float, noise: float, phi: float, seed: int, days: int = 364):
    """A backtest window whose actual is the forecast times (1 + level + slope t + AR(1))."""
    rng = np.random.default_rng(seed)
    shocks = rng.normal(0, noise * np.sqrt(1 - phi**2), days)
    ar = np.zeros(days)
    for i in range(days):
        ar[i] = (phi * ar[i - 1] if i else 0.0) + shocks[i]
    t = np.arange(1, days + 1) / 365.25
    yhat = np.full(days, 1000.0)
    y = yhat * (1 + level + slope * t + ar)
    frame = pl.DataFrame(
        {"day": pl.date_range(START, START + dt.timedelta(days=days - 1), eager=True),
         "y": y, "yhat": yhat}
    )  # fmt: skip
    return OriginBacktest(START, 700, frame)


def test_a_window_error_is_the_relative_miss_of_its_running_total():
    errors = series_errors(("gmv", "a"), (backtest(0.05, 0.0, 0.0, 0.0, seed=1),), 700)
    assert errors.rows["d"].to_list()[:3] == [7, 14, 21]
    assert np.allclose(errors.rows["error"].to_numpy(), 0.05)
    assert errors.rows["tbar"][0] == pytest.approx(4 / 365.25)


@pytest.mark.parametrize("phi", [0.0, 0.5, 0.8])
def test_noise_and_its_persistence_are_read_from_the_detrended_residuals(phi):
    errors = series_errors(("gmv", "a"), (backtest(0.03, 0.02, 0.03, phi, seed=2),), 700)
    assert errors.noise_sd == pytest.approx(0.03, rel=0.25)
    assert errors.noise_phi == pytest.approx(phi, abs=0.12)


def test_persistent_noise_does_not_average_out_as_fast_over_a_window():
    independent, persistent = ar1_sum_variance(0.0, 90), ar1_sum_variance(0.6, 90)
    assert independent == 90 and persistent > 3 * independent


def family_errors(level_sd: float, series: int, metric: str = "gmv", seed: int = 3):
    """Series whose level errors are drawn with sd `level_sd`, two origins each."""
    rng = np.random.default_rng(seed)
    return [
        series_errors(
            (metric, f"team{i}"),
            tuple(backtest(rng.normal(0, level_sd), 0.0, 0.02, 0.3, 10 * i + k) for k in (0, 1)),
            700,
        )
        for i in range(series)
    ]


def test_pooled_level_error_recovers_the_spread_of_the_series_errors():
    calibrations = calibrate(family_errors(0.03, series=30))
    levels = {round(c.level_sd, 6) for c in calibrations.values()}
    assert len(levels) == 1  # one pool: every gmv series shares it
    assert levels.pop() == pytest.approx(0.03, rel=0.3)
    coverage = np.mean([c.coverage for c in calibrations.values()])
    assert 0.6 <= coverage <= 0.97


@pytest.mark.parametrize(
    ("gmv", "orders", "expected"),
    [
        (4, 1, {"gmv": "the 4 gmv series", "orders": "all 5 series (orders has 1)"}),
        (3, 3, {"gmv": "the 3 gmv series", "orders": "the 3 orders series"}),
    ],
)
def test_a_metric_with_few_series_borrows_from_the_whole_batch_and_says_so(gmv, orders, expected):
    series = family_errors(0.02, gmv) + family_errors(0.02, orders, metric="orders", seed=4)
    calibrations = calibrate(series)
    for (metric, _), calibration in calibrations.items():
        assert expected[metric] in calibration.method


def test_a_series_too_short_for_a_backtest_borrows_the_pool_and_says_so():
    short = SeriesErrors(("gmv", "new"), pl.DataFrame(schema=ERROR_COLUMNS), None, 0.0, 200)
    calibrations = calibrate([*family_errors(0.02, 3), short])
    new = calibrations[("gmv", "new")]
    assert "too short for its own backtest" in new.method and new.coverage is None
    assert new.level_sd == calibrations[("gmv", "team0")].level_sd and new.noise_sd > 0


@pytest.mark.parametrize(
    ("narrow", "wide"),
    [
        ((90, 0.1), (90, 0.6)),  # the same window further ahead: the slope error grows
        ((300, 0.4), (7, 0.4)),  # a shorter window at the same distance: less noise averages out
    ],
)
def test_intervals_widen_further_ahead_and_for_shorter_windows(narrow, wide):
    calibration = Calibration(0.01, 0.02, 0.03, 0.5, 0.0, 5, None, "")
    assert calibration.half_width(*narrow) < calibration.half_width(*wide)


def test_a_single_day_carries_the_level_and_its_own_noise():
    calibration = Calibration(0.01, 0.02, 0.03, 0.5, 0.0, 5, None, "")
    assert calibration.half_width(1, 0.0) == pytest.approx(Z80 * np.hypot(0.01, 0.03))


@pytest.mark.slow
@pytest.mark.skipif(os.environ.get("DATAOPS_SKIP_FAMILY") == "1", reason="DATAOPS_SKIP_FAMILY=1")
def test_on_a_family_of_generated_companies_intervals_cover_and_uplifts_land(tmp_path):
    """Eight companies the defaults were never tuned on (seeds 201-208; the benchmark's family
    is 101-112): the issue's acceptance bar."""
    from tests.forecasting.family import measure, summarise

    periods = [p for seed in range(201, 209) for p in measure(seed, tmp_path, workers=1)]
    summary = summarise(periods)
    assert summary.periods >= 8 * 4
    assert 0.65 <= summary.coverage <= 0.95, summary.lines()
    assert summary.within >= 0.80, summary.lines()
    assert summary.worst_miss <= 0.06, summary.lines()
