"""The Forecasts page: the series table, one series' charts and run, and the refresh button."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import polars as pl
import pytest
from streamlit.testing.v1 import AppTest

from metrics.forecasts import reads as fs
from metrics.store.connection import open_store, transaction
from tests.app_pages.conftest import start_app
from tests.forecasting.factories import GOAL_END, build_store

SETTINGS = {"mode": "multiplicative", "changepoint_prior": 0.01, "seasonality_prior": 10.0,
            "holidays_prior": 10.0, "log": True, "interval_width": 0.8}  # fmt: skip


def write_rolling_run(path: Path, team: str, *, smape: float, naive: float) -> int:
    """A rolling run the way the runner writes one, from the actuals (no model fitted)."""
    with open_store(path) as con, transaction(con):
        actual = con.sql(
            "select day, value from observations where team = $team order by day",
            params={"team": team},
        ).pl()
        ahead = pl.date_range(GOAL_END + dt.timedelta(days=1), GOAL_END + dt.timedelta(days=90),
                              eager=True).alias("day").to_frame()  # fmt: skip
        days = pl.concat([actual.select("day"), ahead])
        level = actual["value"].mean()
        frame = days.with_columns(
            yhat=pl.lit(level), yhat_lower=pl.lit(0.9 * level), yhat_upper=pl.lit(1.1 * level),
            trend=pl.lit(level), weekly=pl.lit(0.0), yearly=pl.lit(0.0), calendar=pl.lit(0.0),
            masked=pl.col("day").dt.month() == 3,
        )  # fmt: skip
        selection = {"candidates": [{"settings": SETTINGS, "smape": smape}], "coverage": 0.8}
        record = fs.RunRecord(
            purpose="rolling", goal=None, metric="gmv", team=team, input_hash=f"test-{team}",
            settings=json.dumps(SETTINGS), selection=json.dumps(selection), country="CN",
            masked_days=60, train_start=actual["day"].min(), train_end=actual["day"].max(),
            forecast_start=days["day"].min(), forecast_end=days["day"].max(),
            created_at=dt.datetime(2025, 4, 1), fit_seconds=1.0, status="ok",
        )  # fmt: skip
        run = fs.insert_run(con, record)
        fs.insert_forecast(con, run, frame)
        scores = {
            "input_hash": record.input_hash, "horizon": 90, "settings": record.settings,
            "created_at": record.created_at, "train_days": 700, "model_mape": smape,
            "model_smape": smape, "coverage": 0.8, "naive_mape": naive, "naive_smape": naive,
        }  # fmt: skip
        fs.insert_backtest(con, run, "gmv", team, scores)
    return run


def page(path: Path, monkeypatch) -> AppTest:
    return start_app(path, monkeypatch, "app_pages/forecasts.py")


@pytest.fixture
def store(tmp_path) -> Path:
    path = build_store(tmp_path / "store.duckdb", teams=("alpha", "beta"))
    write_rolling_run(path, "alpha", smape=0.04, naive=0.06)
    write_rolling_run(path, "beta", smape=0.07, naive=0.05)
    return path


def test_without_forecasts_the_page_says_how_to_make_them(tmp_path, monkeypatch):
    app = page(build_store(tmp_path / "empty.duckdb", teams=("alpha",)), monkeypatch)
    assert not app.exception
    assert "No forecasts yet" in app.info[0].value


def test_every_series_is_listed_with_its_backtest_against_seasonal_naive(store, monkeypatch):
    app = page(store, monkeypatch)
    assert not app.exception
    listed = app.dataframe[0].value
    assert list(listed["team"]) == ["alpha", "beta"]
    assert list(listed["beats_naive"]) == [True, False]
    assert app.selectbox(key="forecasts-team").value == "alpha"
    shown = {metric.label: metric.value for metric in app.metric}
    assert shown["Model sMAPE (backtest)"] == "4.0%"
    assert shown["Seasonal-naive sMAPE"] == "6.0%"
    assert shown["Masked training days"] == "60"
    assert len(app.get("plotly_chart")) == 2


def test_choosing_another_series_shows_its_run(store, monkeypatch):
    app = page(store, monkeypatch)
    app.selectbox(key="forecasts-team").set_value("beta").run()
    assert not app.exception
    shown = {metric.label: metric.value for metric in app.metric}
    assert shown["Model sMAPE (backtest)"] == "7.0%"
    assert any("Run 2," in caption.value for caption in app.caption)


@pytest.mark.slow
def test_refresh_fits_the_changed_series_with_progress(tmp_path, monkeypatch):
    path = build_store(tmp_path / "store.duckdb", teams=("alpha",))
    app = page(path, monkeypatch)
    app.button(key="forecasts-refresh").click().run()
    assert not app.exception
    assert "1 fitted, 0 skipped" in app.success[0].value
    assert list(app.dataframe[0].value["team"]) == ["alpha"]


def test_when_every_series_failed_the_table_says_why(tmp_path, monkeypatch):
    path = build_store(tmp_path / "store.duckdb", teams=("alpha",))
    with open_store(path) as con:
        fs.insert_run(con, fs.RunRecord(
            purpose="rolling", goal=None, metric="gmv", team="alpha", input_hash="x",
            settings="{}", selection=None, country="CN", masked_days=0, train_start=None,
            train_end=None, forecast_start=None, forecast_end=None,
            created_at=dt.datetime(2025, 4, 1), fit_seconds=0.1, status="failed",
            error="ValueError: only 5 observed days; a fit needs at least 14",
        ))  # fmt: skip
    app = page(path, monkeypatch)
    assert not app.exception
    assert "No series has a good forecast yet" in app.warning[0].value
    assert "only 5 observed days" in app.dataframe[0].value["error"][0]
