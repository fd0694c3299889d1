"""Small seeded stores for the runner's tests: a few multiplicative daily series with weekly and
yearly seasonality, the 618 and Double 11 festivals, and a yearly campaign by team `alpha`."""

from __future__ import annotations

import datetime as dt
import os
import pickle
from collections.abc import Callable
from pathlib import Path

import numpy as np
import polars as pl
from filelock import FileLock

from metrics.store.connection import open_store, transaction

START = dt.date(2023, 1, 1)
GOAL_START, GOAL_END = dt.date(2025, 1, 1), dt.date(2025, 3, 31)
GOAL = "g"
LEVELS = {"alpha": 50_000.0, "beta": 80_000.0, "unassigned": 120_000.0}
CAMPAIGN = ((3, 10), 10, 0.25)  # (month, day) it starts, days it runs, uplift on alpha's GMV


def series(team: str, end: dt.date, seed: int) -> pl.DataFrame:
    """`day, metric, team, value` of one team's natural GMV plus its campaigns."""
    rng = np.random.default_rng([seed, sorted(LEVELS).index(team)])
    days = pl.date_range(START, end, "1d", eager=True)
    t = np.arange(len(days)) / 365.25
    weekday = days.dt.weekday().to_numpy() - 1
    yearly = 0.08 * np.cos(2 * np.pi * (days.dt.ordinal_day().to_numpy() - 330) / 365.25)
    festival = np.zeros(len(days))
    for month, first, last, peak in ((6, 1, 18, 0.3), (11, 1, 11, 0.4)):
        inside = (days.dt.month() == month) & days.dt.day().is_between(first, last)
        position = (days.dt.day().to_numpy() - first) / (last - first)
        festival += np.where(inside.to_numpy(), peak * position**3, 0.0)
    log = (
        np.log(LEVELS[team])
        + 0.1 * t
        + np.array([0, 0, 0, 0, 0.03, 0.08, 0.06])[weekday]
        + yearly
        + festival
        + rng.normal(0, 0.02, len(days))
    )
    value = np.exp(log) * (1 + _campaign(days) * (team == "alpha"))
    return pl.DataFrame({"day": days, "metric": "gmv", "team": team, "value": value.round()})


def _campaign(days: pl.Series) -> np.ndarray:
    (month, first), length, lift = CAMPAIGN
    starts = [dt.date(year, month, first) for year in range(START.year, 2026)]
    on = np.zeros(len(days))
    for start in starts:
        inside = days.is_between(start, start + dt.timedelta(days=length - 1)).to_numpy()
        on += inside * lift
    return on


def campaigns() -> pl.DataFrame:
    (month, first), length, _ = CAMPAIGN
    rows = [
        (f"spring_{year}", "alpha", "gmv", dt.date(year, month, first),
         dt.date(year, month, first) + dt.timedelta(days=length - 1), f"Spring push {year}")
        for year in range(START.year, 2026)
    ]  # fmt: skip
    return pl.DataFrame(
        rows, schema=["initiative", "team", "metric", "start_day", "end_day", "name"], orient="row"
    )


def build_store(
    path: Path,
    *,
    teams: tuple[str, ...] = ("alpha", "beta", "unassigned"),
    newcomer: bool = False,
    end: dt.date = GOAL_END,
    seed: int = 5,
) -> Path:
    """A store with `teams`' GMV from 2023 to `end`, alpha's yearly campaign and goal `g` on GMV
    over GOAL_START..GOAL_END. `newcomer` adds team `newbie` with five days of GMV before the
    goal: too little to fit, so its series fails while the others fit."""
    frames = [series(team, end, seed) for team in teams]
    if newcomer:
        frames.append(
            series("beta", end, seed)
            .filter(pl.col("day") >= GOAL_START - dt.timedelta(days=5))
            .with_columns(team=pl.lit("newbie"))
        )
    rows = pl.concat(frames)  # noqa: F841 - read by DuckDB below
    windows = campaigns()  # noqa: F841
    with open_store(path) as con, transaction(con):
        con.execute("insert into metrics values ('gmv', 'GMV', 'flow', 'CNY', null, null, true)")
        for team in {*teams, *(["newbie"] if newcomer else [])} - {"unassigned"}:
            con.execute("insert into teams values ($t, $t, 'ops')", {"t": team})
        con.execute("insert into observations select day, metric, team, value from rows")
        con.execute("insert into initiatives select * from windows")
        add_goal(con, GOAL, "gmv", GOAL_START, GOAL_END)
    return path


def add_goal(con, goal: str, metric: str, start: dt.date, end: dt.date) -> None:
    """A goal row by plain SQL (the goals domain is not what these tests are about)."""
    con.execute(
        """
        insert into goals values ($goal, $goal, $metric, $start, $end, 1.0, 'even',
            current_timestamp, 'test', current_timestamp, 'test')
        """,
        {"goal": goal, "metric": metric, "start": start, "end": end},
    )


def append_days(path: Path, team: str, days: int, seed: int = 5) -> None:
    """`days` more days of `team`'s GMV after its last one, as a daily import would add."""
    with open_store(path) as con:
        last = con.execute(
            "select max(day) from observations where team = $team", {"team": team}
        ).fetchall()[0][0]
        new = series(team, last + dt.timedelta(days=days), seed).filter(  # noqa: F841
            pl.col("day") > last
        )
        con.execute("insert into observations select day, metric, team, value from new")


def shared_build(
    tmp_path_factory, name: str, build: Callable[[Path], object]
) -> tuple[Path, object]:
    """Build a store once per test run, shared by every xdist worker (like `demo_store`):
    the first worker builds it under a file lock, the others wait and reuse it. `build(path)`
    fills the store and returns something picklable (a report) that every worker gets back.
    Open the store read-only, or copy it to write."""
    base = tmp_path_factory.getbasetemp()
    shared = base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base
    path, extra = shared / f"{name}.duckdb", shared / f"{name}.pickle"
    with FileLock(str(path) + ".lock"):
        if not path.exists():
            building = shared / f"{name}.building.duckdb"
            building.unlink(missing_ok=True)
            extra.write_bytes(pickle.dumps(build(building)))
            building.rename(path)  # only a finished store ever has the final name
    return path, pickle.loads(extra.read_bytes())
