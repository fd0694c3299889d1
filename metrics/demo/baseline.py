"""A stand-in natural baseline, written the way the forecasting runner writes a frozen goal run.

Tests and benchmarks measure contribution against a baseline they chose (the planted natural, a
seeded frame) instead of one Prophet fitted, so no model runs and the truth is known:

    freeze_stand_in(con, "gmv_2025", forecast, noise=0.03)   # inside the caller's transaction

It lives here, not under `tests/`, because the benchmarks import it too and only the installed
packages are importable from both. Forecast rows go through `write_forecast` and the spread
through `write_spread` (a calibration of daily noise alone, which the calibrated paths are drawn
from), one small function each.
"""

from __future__ import annotations

import datetime as dt
import json

import duckdb
import numpy as np
import polars as pl

from metrics.forecasts import reads as forecast_store

CREATED_AT = dt.datetime(2025, 1, 1)
SAMPLES = 200  # sampled paths of a planted-natural stand-in
NOISE = 0.02  # its day-by-day error against the planted natural


def freeze_stand_in(
    con: duckdb.DuckDBPyConnection,
    goal: str,
    forecast: pl.DataFrame,
    *,
    noise: float | None = None,
    label: str = "test",
    created_at: dt.datetime = CREATED_AT,
    period: tuple[dt.date, dt.date] | None = None,
) -> list[int]:
    """Store `forecast` as `goal`'s frozen runs, one per (metric, team); return their run ids.

    `forecast`: day, metric, team, yhat, yhat_lower, yhat_upper. `noise` (optional): the relative
    sd of independent daily noise its calibrated paths carry around yhat (none: no paths, so no
    intervals). A run covers `period`, else its own first to last day. Run inputs are tagged
    `label` so a reader can tell them from fits.
    """
    runs = []
    for (metric, team), series in forecast.group_by("metric", "team", maintain_order=True):
        start, end = period or (series["day"].min(), series["day"].max())
        record = forecast_store.RunRecord(
            purpose="goal",
            goal=goal,
            metric=str(metric),
            team=str(team),
            input_hash=f"{label}-{metric}-{team}",
            settings=json.dumps({"stand_in": label}),
            selection=None,
            country=None,
            masked_days=0,
            train_start=None,
            train_end=None,
            forecast_start=start,
            forecast_end=end,
            created_at=created_at,
            fit_seconds=0.0,
            status="ok",
        )
        run = forecast_store.insert_run(con, record)
        write_forecast(con, run, series)
        if noise is not None:
            write_spread(con, run, noise, start - dt.timedelta(days=1))
        runs.append(run)
    return runs


def write_forecast(con: duckdb.DuckDBPyConnection, run: int, series: pl.DataFrame) -> None:
    """One series' daily baseline, all of it trend (a stand-in has no components)."""
    rows = series.select(
        "day",
        "yhat",
        "yhat_lower",
        "yhat_upper",
        trend=pl.col("yhat"),
        weekly=pl.lit(0.0),
        yearly=pl.lit(0.0),
        calendar=pl.lit(0.0),
        masked=pl.lit(False),
    )
    forecast_store.insert_forecast(con, run, rows)


def write_spread(con: duckdb.DuckDBPyConnection, run: int, noise: float, origin: dt.date) -> None:
    """One series' calibration: independent daily noise of relative sd `noise` around yhat."""
    forecast_store.set_noise_calibration(con, run, noise, origin, SAMPLES)


def freeze_planted_natural(con: duckdb.DuckDBPyConnection, seed: int) -> str:
    """A demo store's GMV goal baseline from its planted natural series (`demo_truth_natural`),
    a little off overall and 2% off day by day, with sampled paths; return the goal id. Inside
    the caller's transaction."""
    rng = np.random.default_rng(seed)
    goal, start, end = con.execute("select goal, start_day, end_day from goals").fetchall()[0]
    natural = con.sql(
        "select day, team, value from demo_truth_natural where metric = 'gmv'"
        " and day between $s and $e order by team, day",
        params={"s": start, "e": end},
    ).pl()
    days = pl.date_range(start, end, eager=True)
    for (team,), series in natural.group_by("team", maintain_order=True):
        level = np.resize(series["value"].to_numpy(), len(days))  # repeat past the data
        _planted_run(con, goal, str(team), days, level, rng)
    return goal


def _planted_run(con, goal: str, team: str, days: pl.Series, level: np.ndarray, rng) -> None:
    # a fitted baseline is a little off overall and knows nothing of the days' own noise
    yhat = level * rng.normal(1.0, NOISE / 4) * np.exp(rng.normal(0.0, NOISE, len(days)))
    series = {"metric": pl.lit("gmv"), "team": pl.lit(team)}
    forecast = pl.DataFrame(
        {"day": days, "yhat": yhat, "yhat_lower": yhat * 0.97, "yhat_upper": yhat * 1.03}
    ).with_columns(**series)
    period = (days[0], days[-1])
    freeze_stand_in(
        con, goal, forecast, noise=NOISE, label="bench", created_at=dt.datetime.now(), period=period
    )
