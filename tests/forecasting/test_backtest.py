"""Backtests: refusals of bad input (every problem, with its fix) and real series it never saw."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from forecasting.backtest import backtest_series
from forecasting.series_input import check_history, to_history
from metrics.store.errors import DataopsError, ValidationFailed
from tests.forecasting.real_series import REAL_CASES


def text_frame(rows: list[tuple[str, str]], columns=("ds", "y")) -> pl.DataFrame:
    return pl.DataFrame(rows, schema=list(columns), orient="row")


def daily_rows(days: int, first=dt.date(2024, 1, 1), step: int = 1) -> list[tuple[str, str]]:
    return [(str(first + dt.timedelta(days=i * step)), str(100 + i % 7)) for i in range(days)]


@pytest.mark.parametrize(
    ("frame", "expected"),
    [
        (text_frame(daily_rows(10), ("date", "value")), ["missing column(s) ds, y"]),
        (text_frame([("2024-01-01", "1"), ("01/02/2024", "2")]), ["row 3, column 'ds'"]),
        (text_frame([("2024-01-01", "1"), ("2024-01-02", "lots")]), ["row 3, column 'y'"]),
        (
            text_frame([("2024-01-01", "1"), ("2024-01-01", "2"), ("2024-01-02", "x")]),
            ["row 2, column 'ds'", "row 3, column 'ds'", "row 4, column 'y'"],
        ),
        (text_frame(daily_rows(30, step=7)), ["7 days apart"]),
    ],
    ids=["columns", "date", "number", "duplicates-and-number", "weekly"],
)
def test_bad_series_are_refused_naming_every_problem(frame, expected):
    with pytest.raises(ValidationFailed) as refused:
        to_history(frame, source="sales.csv")
    message = str(refused.value)
    assert all(part in message for part in expected) and "Fix:" in message
    assert len(refused.value.problems) == len(expected)


@pytest.mark.parametrize(("days", "horizon"), [(100, 90), (60, 10), (200, 0)])
def test_too_little_data_for_the_horizon_says_what_would_fit(days, horizon):
    history = to_history(text_frame(daily_rows(days)))
    with pytest.raises(ValidationFailed, match="--horizon"):
        check_history(history, horizon)


def test_gaps_in_a_daily_series_are_kept_as_missing_days():
    rows = [row for i, row in enumerate(daily_rows(20)) if i not in (5, 6)]
    history = to_history(text_frame(rows))
    assert history.height == 20 and history["y"].null_count() == 2


def test_an_unknown_country_is_refused_before_fitting():
    with pytest.raises(DataopsError, match="country code 'ZZ'"):
        backtest_series(text_frame(daily_rows(200)), 30, country="ZZ")


@pytest.mark.slow
@pytest.mark.parametrize("case", REAL_CASES, ids=[case.name for case in REAL_CASES])
def test_the_natural_model_beats_seasonal_naive_on_real_series(real_data, case):
    """Settings are chosen on the training days alone; the last 90 days were never seen."""
    frame = case.frame(real_data).select(ds="day", y="y")
    result = backtest_series(frame, 90, country=case.country)
    assert result.model.smape < result.seasonal_naive.smape
    assert 0.6 <= result.model.coverage <= 1.0
