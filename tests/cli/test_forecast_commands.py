"""`dataops forecast` and `dataops backtest`: what a user sees, and the refusals."""

from __future__ import annotations

import datetime as dt
import json

import numpy as np
import polars as pl
import pytest

from tests.cli.running import run_dataops
from tests.forecasting.factories import GOAL, build_store


def dataops(capsys, monkeypatch, *args: str) -> tuple[int, str, str]:
    """Run the console script in-process: (exit code, stdout, stderr)."""
    return run_dataops(monkeypatch, capsys, *args)


def write_series(path, days: int = 400, *, header=("ds", "y"), seed: int = 2):
    rng = np.random.default_rng(seed)
    day = pl.date_range(dt.date(2023, 1, 1), dt.date(2023, 1, 1) + dt.timedelta(days=days - 1),
                        eager=True)  # fmt: skip
    weekly = np.where(day.dt.weekday().to_numpy() >= 6, 1.2, 1.0)
    y = 500 * weekly * np.exp(rng.normal(0, 0.03, days))
    pl.DataFrame({header[0]: day, header[1]: y.round(1)}).write_csv(path)
    return path


@pytest.mark.slow
def test_backtest_json_has_exactly_the_documented_shape(tmp_path, capsys, monkeypatch):
    csv = write_series(tmp_path / "sales.csv")
    code, out, err = dataops(
        capsys, monkeypatch, "backtest", str(csv), "--horizon", "30", "--format", "json"
    )
    assert code == 0, err
    result = json.loads(out)
    assert set(result) == {"model", "seasonal_naive", "horizon", "train_days", "chosen"}
    assert result["chosen"]["candidate"] == "blend"
    assert set(result["model"]) == {"mape", "smape", "coverage"}
    assert set(result["seasonal_naive"]) == {"mape", "smape"}
    assert result["horizon"] == 30 and result["train_days"] == 370
    assert 0 < result["model"]["smape"] < 1 and 0 <= result["model"]["coverage"] <= 1
    assert "cmdstanpy" not in out + err and "INFO" not in out + err


@pytest.mark.parametrize(
    ("setup", "args", "expected"),
    [
        (lambda p: write_series(p, header=("date", "y")), (), "missing column(s) ds"),
        (lambda p: p.write_text("ds,y\n2024-01-01,1\n2024-01-01,2\n"), (), "more than once"),
        (lambda p: p.write_text("ds,y\n2024-01-01,1\n2024-01-02,n/a\n"), (), "not a number"),
        (lambda p: write_series(p, days=100), (), "--horizon"),
        (lambda p: p.write_text("ds,y\n2024-01-01,1\n2024-01-08,2\n2024-01-15,3\n"), (),
         "not daily"),
        (lambda p: None, (), "no such file"),
        (lambda p: write_series(p), ("--country", "XX"), "country code 'XX'"),
    ],
    ids=["columns", "duplicates", "number", "too-short", "weekly", "missing-file", "country"],
)  # fmt: skip
def test_bad_backtest_input_is_refused_with_a_fix(
    tmp_path, capsys, monkeypatch, setup, args, expected
):
    path = tmp_path / "series.csv"
    setup(path)
    code, out, err = dataops(capsys, monkeypatch, "backtest", str(path), "--horizon", "90", *args)
    assert code != 0 and expected in err and "Fix:" in err
    assert "Traceback" not in err + out


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("--rebaseline",), "--rebaseline needs --goal"),
        (("--goal", "nope"), "no goal 'nope' in the store (goals: g)"),
        (("--country", "XX"), "country code 'XX'"),
        (("--spark-master", "local[2]"), "--spark-master needs --engine spark"),
        (("--engine", "yarn"), "'yarn' is not one of 'local', 'spark'"),
    ],
)
def test_forecast_refusals(tmp_path, capsys, monkeypatch, args, expected):
    store = build_store(tmp_path / "store.duckdb", teams=("alpha",))
    code, out, err = dataops(capsys, monkeypatch, "forecast", "--store", str(store), *args)
    assert code != 0 and expected in err and "Traceback" not in err + out


def test_forecast_needs_an_existing_store(tmp_path, capsys, monkeypatch):
    code, _, err = dataops(capsys, monkeypatch, "forecast", "--store", str(tmp_path / "x.duckdb"))
    assert code != 0 and "dataops demo" in err and not (tmp_path / "x.duckdb").exists()


@pytest.mark.slow
def test_forecast_a_goal_reports_each_series_and_a_failure_exits_non_zero(
    tmp_path, capsys, monkeypatch
):
    store = build_store(tmp_path / "store.duckdb", teams=("alpha",), newcomer=True)
    args = ("forecast", "--store", str(store), "--goal", GOAL, "--workers", "1")
    code, out, err = dataops(capsys, monkeypatch, *args)
    assert code == 1
    assert "1 fitted, 0 skipped (kept or copied), 1 failed" in out
    assert "failed: gmv / newbie: ValueError: only 5 observed days" in out
    assert "1 series could not be fitted" in err and "Traceback" not in err
    code, out, _ = dataops(capsys, monkeypatch, *args)
    assert "0 fitted, 1 skipped" in out  # alpha's baseline stays frozen


@pytest.mark.slow
def test_rolling_forecast_twice_fits_only_the_first_time(tmp_path, capsys, monkeypatch):
    store = build_store(tmp_path / "store.duckdb", teams=("alpha",))
    args = ("forecast", "--store", str(store), "--workers", "1")
    code, out, _ = dataops(capsys, monkeypatch, *args)
    assert code == 0 and "rolling forecasts: 1 fitted, 0 skipped (unchanged), 0 failed" in out
    code, out, _ = dataops(capsys, monkeypatch, *args)
    assert code == 0 and "rolling forecasts: 0 fitted, 1 skipped (unchanged), 0 failed" in out
