"""A small seeded store for the contribution report and command tests, no model fitting.

The goal period's observations are `Company` frames (natural + planted effects) for every stored
metric, and the frozen baseline is written the way the forecasting runner writes it: a run per
series with its daily forecast and sampled paths.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

import duckdb
import polars as pl

from metrics.demo.baseline import freeze_stand_in
from metrics.plan.decomposition import Method
from metrics.plan.edits import set_goal
from metrics.plan.goals import Goal
from metrics.plan.phases import save_assignments, save_phases
from tests.metrics.contribution_factories import Company, Planted

START, END, AS_OF = dt.date(2025, 1, 1), dt.date(2025, 12, 31), dt.date(2025, 8, 28)
TEAMS = [
    ("promo", "Promotions", "commerce"),
    ("merch", "Merchandising", "commerce"),
    ("users", "User operations", "growth"),
    ("service", "Customer success", "service"),
]
METRICS = [
    ("gmv", "GMV", "flow", "CNY", None, None),
    ("orders", "Orders", "flow", "orders", None, None),
    ("visitors", "Visitors", "flow", "visitors", None, None),
    ("dau", "DAU", "level", "users", None, None),
    ("conversion", "Conversion", "ratio", "%", "orders", "visitors"),
]
SCALE = {"gmv": 100.0, "orders": 1.0, "visitors": 30.0, "dau": 10.0}
# how strongly each metric follows an initiative's planted lift (visitors barely move, so
# conversion rises with orders)
FOLLOWS = {"gmv": 1.0, "orders": 1.0, "visitors": 0.2, "dau": 0.5}
PLANTS = (
    Planted("spring_sale", "promo", dt.date(2025, 3, 10), 10, 0.25, payback=0.12),
    Planted("arrivals", "merch", dt.date(2025, 4, 20), 12, 0.2),
    Planted("member_days", "promo", dt.date(2025, 5, 20), 10, 0.2, victim="merch", harm=0.12),
    Planted("gift", "users", dt.date(2025, 6, 15), 14, 0.3),
)


def company(metric: str, seed: int) -> Company:
    plants = tuple(
        dataclasses.replace(
            p,
            lift=p.lift * FOLLOWS[metric],
            payback=p.payback * FOLLOWS[metric],
            harm=p.harm * FOLLOWS[metric],
        )
        for p in PLANTS
    )
    teams = (*[t[0] for t in TEAMS], "unassigned")
    days = (END - START).days + 1
    return Company(seed=seed, teams=teams, start=START, days=days, plants=plants)


def build(con: duckdb.DuckDBPyConnection, goal_metric: str = "gmv", *, seed: int = 1) -> str:
    """Fill `con` with the company, a goal on `goal_metric` and its frozen baseline; return the
    goal id. Observations run to AS_OF."""
    con.executemany("insert into teams values (?, ?, ?)", TEAMS)
    con.executemany("insert into metrics values (?, ?, ?, ?, ?, ?, true)", METRICS)
    for k, metric in enumerate(SCALE):
        made = company(metric, seed + k)
        daily, samples, initiatives = made.frames()
        daily, samples = (_as(frame, metric) for frame in (daily, samples))
        observed = daily.filter(pl.col("day") <= AS_OF).select("day", "metric", "team", "actual")  # noqa: F841
        con.execute("insert into observations select * from observed")
        _freeze(con, f"{goal_metric}_goal", daily, made.noise)
    rows = initiatives.with_columns(name=pl.col("initiative"))  # noqa: F841 - read by DuckDB
    con.execute("insert into initiatives select * from rows")
    goal = Goal(
        goal=f"{goal_metric}_goal",
        name="Grow",
        metric=goal_metric,
        start_day=START,
        end_day=END,
        target=goal_target(con, goal_metric),
        method=Method.EVEN,
    )
    set_goal(con, goal, "test")
    _plan(con, goal.goal, goal_metric, SHARES, START.year)
    return goal.goal


def _as(frame: pl.DataFrame, metric: str) -> pl.DataFrame:
    scaled = [c for c in ("actual", "natural", "truth_effect", "value") if c in frame.columns]
    return frame.with_columns(pl.col(scaled) * SCALE[metric], metric=pl.lit(metric))


def _freeze(con, goal: str, daily: pl.DataFrame, noise: float) -> None:
    """Frozen runs whose calibrated paths are the baseline with the company's daily noise."""
    forecast = daily.select(
        "day",
        "metric",
        "team",
        yhat="natural",
        yhat_lower=pl.col("natural") * 0.95,
        yhat_upper=pl.col("natural") * 1.05,
    )
    freeze_stand_in(con, goal, forecast, noise=noise, period=(START, END))


def goal_target(con, goal_metric: str, *, above: float = 1.02) -> float:
    """A target `above` the frozen natural, in the goal's terms (total, average or ratio)."""
    kind, num, den = con.execute(
        "select kind, coalesce(numerator, metric), denominator from metrics where metric = $m",
        {"m": goal_metric},
    ).fetchall()[0]
    totals = dict(
        con.execute(
            "select r.metric, sum(f.yhat) from forecast_runs r join forecasts f using (run)"
            " group by r.metric"
        ).fetchall()
    )
    days = (END - START).days + 1
    natural = {"flow": totals[num], "level": totals[num] / days}.get(kind)
    return above * (natural if natural is not None else totals[num] / totals[den])


SHARES = {"promo": 0.4, "merch": 0.3, "users": 0.2, "service": 0.1}


def _plan(con, goal: str, indicator: str, shares: dict[str, float], year: int) -> None:
    """Two half-year phases; each team owes `shares` of each phase's gap, watched on
    `indicator`."""
    phases = pl.DataFrame(
        {
            "phase": ["h1", "h2"],
            "name": ["First half", "Second half"],
            "start_month": [dt.date(year, 1, 1), dt.date(year, 7, 1)],
            "end_month": [dt.date(year, 6, 1), dt.date(year, 12, 1)],
            "main_task": ["Spring campaigns", "Festival season"],
        }
    )
    save_phases(con, goal, phases, "test")
    rows = [
        (phase, team, share, indicator) for phase in ("h1", "h2") for team, share in shares.items()
    ]
    assignments = pl.DataFrame(rows, schema=["phase", "team", "share", "indicator"], orient="row")
    save_assignments(con, goal, assignments, "test")


DEMO_GOAL = "gmv_2025"  # the demo company's goal in `demo_goal_store` (its end year is 2025)
