"""The contribution report on companies of growing size, without fitting a single model.

    .venv/bin/python benchmarks/contribution_bench.py [--teams 5 50 200] [--seed N]

For each size, builds the demo company in a temporary folder, freezes a stand-in natural
baseline for its GMV goal (`metrics.demo.baseline.freeze_planted_natural`: the planted natural
series, 2% off day by day, with 200 sampled paths), then times `build_report` and
prints the flags found next to what the generator planted. Campaigns of copies of one team
that run on exactly the same days as a planted cannibalisation share its flag: the data cannot
tell them apart.
"""

from __future__ import annotations

import argparse
import datetime as dt
import tempfile
import time
from pathlib import Path

from metrics.contribution.report import build_report
from metrics.demo import DemoConfig
from metrics.demo.baseline import freeze_planted_natural
from metrics.store.connection import open_store, transaction
from workflows.demo import build_demo_store


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
            with open_store(path) as con, transaction(con):
                goal = freeze_planted_natural(con, args.seed)
            with open_store(path, read_only=True) as con:
                started = time.perf_counter()
                report = build_report(con, goal)
                seconds = time.perf_counter() - started
                count = con.execute("select count(*) from initiatives").fetchall()[0][0]
                truth = planted(con, report.as_of)
            print(f"{teams:>6} {count:>11} {seconds:>9.2f} {report.flags.height:>6} {truth:>8}")


if __name__ == "__main__":
    main()
