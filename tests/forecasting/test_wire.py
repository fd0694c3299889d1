"""Jobs and results cross to Spark workers as JSON and Arrow, and come back whole."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd
import polars as pl
import pytest

from forecasting import wire
from forecasting.backtest import BacktestResult
from forecasting.calibration import ERROR_COLUMNS, SeriesErrors
from forecasting.jobs import Purpose, SeriesJob, SeriesResult
from forecasting.scoring import Accuracy


def job() -> SeriesJob:
    days = pl.date_range(dt.date(2025, 1, 1), dt.date(2025, 1, 20), eager=True).alias("day")
    return SeriesJob(
        metric="gmv",
        team="alpha",
        history=days.to_frame().with_columns(y=pl.Series([1.5, None] * 10)),
        masked=pl.Series("day", [dt.date(2025, 1, 2)], dtype=pl.Date),
        days=days,
        festivals=pl.DataFrame(
            schema={"event": pl.String, "start_day": pl.Date, "end_day": pl.Date}
        ),
        country="CN",
        purpose=Purpose.ROLLING,
    )


def fitted_result() -> SeriesResult:
    errors = pl.DataFrame([(0, 540, 7, 7, -0.012, 0.01)], schema=ERROR_COLUMNS, orient="row")
    return SeriesResult(
        "gmv",
        "alpha",
        "abc",
        1.25,
        forecast=pl.DataFrame({"day": [dt.date(2025, 2, 1)], "yhat": [10.0], "masked": [False]}),
        settings_json='{"candidate": "blend"}',
        selection_json="{}",
        errors=SeriesErrors(("gmv", "alpha"), errors, None, 0.3, 900),
        backtest=BacktestResult(Accuracy(0.1, 0.09, 0.8), Accuracy(0.2, 0.19), 90, 900, "{}"),
    )


CASES = [
    pytest.param(job, id="job"),
    pytest.param(fitted_result, id="fitted result"),
    pytest.param(lambda: SeriesResult("gmv", "beta", "h", 0.0, error="ValueError: x"), id="failed"),
    pytest.param(lambda: SeriesResult("gmv", "beta", "h", 0.0, same_as=7), id="copied run"),
]


@pytest.mark.parametrize("make", CASES)
def test_what_goes_in_comes_out(make):
    value = make()
    back = wire.from_bytes(type(value), wire.to_bytes(value))
    assert type(back) is type(value)
    assert wire.to_bytes(back) == wire.to_bytes(value)


def test_frames_series_enums_and_nested_results_keep_their_types():
    back = wire.from_bytes(SeriesJob, wire.to_bytes(job()))
    assert back.purpose is Purpose.ROLLING
    assert back.history.schema == job().history.schema
    assert back.history["y"].null_count() == 10
    assert back.masked.name == "day" and back.masked.dtype == pl.Date
    assert back.festivals.is_empty() and back.festivals.schema == job().festivals.schema
    result = wire.from_bytes(SeriesResult, wire.to_bytes(fitted_result()))
    assert result.errors.key == ("gmv", "alpha")
    assert result.errors.noise_sd is None and result.backtest.model.coverage == 0.8
    assert result.forecast.equals(fitted_result().forecast)


@dataclass(frozen=True)
class Other:
    when: dt.datetime
    table: pd.DataFrame
    counts: dict[str, list[int]]


def test_pandas_frames_datetimes_and_dicts_round_trip():
    value = Other(dt.datetime(2025, 3, 1, 12, 30), pd.DataFrame({"a": [1, 2]}), {"x": [1, 2]})
    back = wire.from_bytes(Other, wire.to_bytes(value))
    assert back.when == value.when and back.counts == value.counts
    assert back.table.equals(value.table)


def test_nothing_but_data_is_accepted():
    with pytest.raises(TypeError, match="cannot encode a function"):
        wire.to_bytes({"f": test_nothing_but_data_is_accepted})
