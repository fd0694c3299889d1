"""Accuracy measures and the seasonal-naive benchmark."""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl
import pytest

from forecasting.scoring import accuracy, seasonal_naive


def test_accuracy_measures_as_fractions():
    result = accuracy(np.array([100.0, 200.0]), np.array([110.0, 180.0]), np.array([90.0, 190.0]),
                      np.array([120.0, 210.0]))  # fmt: skip
    assert result.mape == pytest.approx((0.1 + 0.1) / 2)
    assert result.smape == pytest.approx((20 / 210 + 40 / 380) / 2)
    assert result.coverage == 1.0


def history(first: dt.date, days: int, gaps=()) -> pl.DataFrame:
    day = pl.date_range(first, first + dt.timedelta(days=days - 1), eager=True)
    y = pl.Series(range(days), dtype=pl.Float64)
    return pl.DataFrame({"day": day, "y": y}).with_columns(
        y=pl.when(pl.col("day").is_in(list(gaps))).then(None).otherwise("y")
    )


@pytest.mark.parametrize(
    ("train_days", "gaps", "expected"),
    [
        (400, (), [400 - 364, 401 - 364]),  # a year of history: same weekday 52 weeks earlier
        (100, (), [100 - 7, 101 - 7]),  # less than a year: one week earlier
        (100, (dt.date(2024, 4, 3),), [100 - 14, 101 - 7]),  # missing: a further week back
    ],
)
def test_seasonal_naive_lags(train_days, gaps, expected):
    train = history(dt.date(2024, 1, 1), train_days, gaps)
    ahead = pl.date_range(
        dt.date(2024, 1, 1) + dt.timedelta(days=train_days),
        dt.date(2024, 1, 1) + dt.timedelta(days=train_days + 1),
        eager=True,
    )
    assert seasonal_naive(train, ahead).tolist() == expected


def test_seasonal_naive_repeats_the_last_week_beyond_a_week_ahead():
    train = history(dt.date(2024, 1, 1), 30)
    ahead = pl.date_range(dt.date(2024, 1, 31), dt.date(2024, 2, 13), eager=True)
    forecast = seasonal_naive(train, ahead)
    assert forecast[:7].tolist() == forecast[7:].tolist() == list(range(23, 30))
