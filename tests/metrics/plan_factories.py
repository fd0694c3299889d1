"""Small seeded stores for the goals, phases and check-ins tests.

A company of three teams plus `unassigned` with metrics of all three kinds, a year of daily
observations before the goal year, and a natural baseline frame shaped like
`metrics.forecasts.reads.goal_baseline` (so no test needs to fit Prophet).
"""

from __future__ import annotations

import datetime as dt

import duckdb
import numpy as np
import polars as pl

from metrics.demo.baseline import freeze_stand_in

GOAL_YEAR = 2025
TEAMS = [
    ("growth", "User growth", "user_ops"),
    ("content", "Content", "content_ops"),
    ("promo", "Promotions", "marketing"),
]
METRICS = [
    ("gmv", "GMV", "flow", "CNY", None, None),
    ("orders", "Orders", "flow", "orders", None, None),
    ("visitors", "Visitors", "flow", "visitors", None, None),
    ("dau", "Daily active users", "level", "users", None, None),
    ("conversion", "Conversion rate", "ratio", "%", "orders", "visitors"),
]
STORED = {"gmv": 1e6, "orders": 5e3, "visitors": 1.5e5, "dau": 4e4}  # per team per day
SHARES = {"growth": 0.4, "content": 0.25, "promo": 0.2, "unassigned": 0.15}


def seed_company(con: duckdb.DuckDBPyConnection, *, seed: int = 1) -> None:
    """Teams, metrics and daily observations of the year before GOAL_YEAR."""
    con.executemany("insert into teams values (?, ?, ?)", TEAMS)
    con.executemany("insert into metrics values (?, ?, ?, ?, ?, ?, true)", METRICS)
    history = daily_values(dt.date(GOAL_YEAR - 1, 1, 1), dt.date(GOAL_YEAR - 1, 12, 31), seed)
    rows = history.select("day", "metric", "team", value="yhat")  # noqa: F841 - read by DuckDB
    con.execute("insert into observations select * from rows")


def daily_values(start: dt.date, end: dt.date, seed: int, growth: float = 1.0) -> pl.DataFrame:
    """Seasonal daily series per stored metric and team. Columns: day, metric, team, yhat."""
    rng = np.random.default_rng(seed)
    days = pl.date_range(start, end, "1d", eager=True)
    season = 1 + 0.25 * np.sin(np.arange(len(days)) * 2 * np.pi / 365.25) ** 2
    frames = []
    for metric, level in STORED.items():
        for team, share in SHARES.items():
            noise = rng.normal(1.0, 0.02, len(days))
            values = level * share * 4 * growth * season * noise
            frames.append(
                pl.DataFrame({"day": days, "yhat": values}).with_columns(
                    metric=pl.lit(metric), team=pl.lit(team)
                )
            )
    return pl.concat(frames).select("day", "metric", "team", "yhat")


def baseline_frame(start: dt.date, end: dt.date, *, seed: int = 2) -> pl.DataFrame:
    """A natural baseline over start..end, as `goal_baseline` returns it."""
    values = daily_values(start, end, seed, growth=1.05)
    return values.with_columns(
        yhat_lower=pl.col("yhat") * 0.95, yhat_upper=pl.col("yhat") * 1.05, run=pl.lit(1)
    )


def freeze_baseline(con: duckdb.DuckDBPyConnection, goal: str, frame: pl.DataFrame) -> None:
    """Store `frame` as the goal's frozen runs, the way the forecasting runner writes them."""
    freeze_stand_in(con, goal, frame, created_at=dt.datetime(GOAL_YEAR, 1, 1))
