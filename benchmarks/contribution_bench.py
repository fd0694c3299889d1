"""The contribution report on companies of growing size, without fitting a single model.

    .venv/bin/python benchmarks/contribution_bench.py [--teams 5 50 200] [--seed N]

For each size, builds the demo company in a temporary folder, freezes a stand-in natural
baseline for its GMV goal (the planted natural series, 2% off day by day, with 200 sampled
paths, written the way the forecasting runner writes runs), then times `build_report` and
prints the flags found next to what the generator planted. Campaigns of copies of one team
that run on exactly the same days as a planted cannibalisation share its flag: the data cannot
tell them apart.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import tempfile
import time
from pathlib import Path

import numpy as np
import polars as pl

from cli.demo_command import build_demo_store
from metrics.contribution.report import build_report
from metrics.demo import DemoConfig
from metrics.forecasts import reads as forecast_store
from metrics.store.connection import open_store, transaction

SAMPLES = 200
NOISE = 0.02


def freeze_stand_in(path: Path, seed: int) -> str:
    """Write the goal's baseline from the planted natural series; return the goal id."""
    rng = np.random.default_rng(seed)
    with open_store(path) as con, transaction(con):
        goal, start, end = con.execute("select goal, start_day, end_day from goals").fetchall()[0]
        natural = con.sql(
            "select day, team, value from demo_truth_natural where metric = 'gmv'"
            " and day between $s and $e order by team, day",
            params={"s": start, "e": end},
        ).pl()
        days = pl.date_range(start, end, eager=True)
        for (team,), series in natural.group_by("team", maintain_order=True):
            level = np.resize(series["value"].to_numpy(), len(days))  # repeat past the data
            _write_run(con, goal, str(team), days, level, rng)
    return goal


def _write_run(con, goal: str, team: str, days: pl.Series, level: np.ndarray, rng) -> None:
    record = forecast_store.RunRecord(
        purpose="goal",
        goal=goal,
        metric="gmv",
        team=team,
        input_hash=f"bench-{team}",
        settings=json.dumps({"bench": True}),
        selection=None,
        country=None,
        masked_days=0,
        train_start=None,
        train_end=None,
        forecast_start=days[0],
        forecast_end=days[-1],
        created_at=dt.datetime.now(),
        fit_seconds=0.0,
        status="ok",
    )
    run = forecast_store.insert_run(con, record)
    # a fitted baseline is a little off overall and knows nothing of the days' own noise
    yhat = level * rng.normal(1.0, NOISE / 4) * np.exp(rng.normal(0.0, NOISE, len(days)))
    forecast = pl.DataFrame(
        {
            "day": days,
            "yhat": yhat,
            "yhat_lower": yhat * 0.97,
            "yhat_upper": yhat * 1.03,
            "trend": yhat,
            "weekly": 0.0,
            "yearly": 0.0,
            "calendar": 0.0,
            "masked": False,
        }
    )
    forecast_store.insert_forecast(con, run, forecast)
    forecast_store.set_noise_calibration(con, run, NOISE, days[0] - dt.timedelta(days=1), SAMPLES)


def planted(con, as_of: dt.date) -> int:
    rows = con.execute(
        "select count(distinct (initiative, kind, team)) from demo_truth_effects"
        " where kind <> 'uplift' and metric = 'gmv' and year(day) = year($d) and day <= $d",
        {"d": as_of},
    ).fetchall()
    return int(rows[0][0])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--teams", type=int, nargs="+", default=[5, 50, 200])
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    print(f"{'teams':>6} {'initiatives':>11} {'report s':>9} {'flags':>6} {'planted':>8}")
    with tempfile.TemporaryDirectory() as folder:
        for teams in args.teams:
            path = Path(folder) / f"bench_{teams}.duckdb"
            build_demo_store(path, DemoConfig(seed=args.seed, teams=teams, years=3))
            goal = freeze_stand_in(path, args.seed)
            with open_store(path, read_only=True) as con:
                started = time.perf_counter()
                report = build_report(con, goal)
                seconds = time.perf_counter() - started
                count = con.execute("select count(*) from initiatives").fetchall()[0][0]
                truth = planted(con, report.as_of)
            print(f"{teams:>6} {count:>11} {seconds:>9.2f} {report.flags.height:>6} {truth:>8}")


if __name__ == "__main__":
    main()
