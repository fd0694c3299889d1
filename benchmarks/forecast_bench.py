"""The natural-growth runner: its cost per series, its parallel speed-up, its cache, and how the
chosen model does on real series against seasonal-naive.

    .venv/bin/python benchmarks/forecast_bench.py [--teams 2] [--workers N] [--no-real]

On the demo company (`--teams` teams plus `unassigned`, five stored metrics each, three years of
history), prints in one run:

1. per series: the runner's wall time (settings search on the training days, final fit,
   sampled paths, store writes) against a bare Prophet fit + predict of the same series at its
   defaults, and their ratio;
2. a rolling refresh of every series from cold, serially (one process) and in parallel
   (`--workers`, default all cores): the speed-up;
3. the same refresh again on the unchanged store (the cache) against the cold one;
4. the engines side by side on demo stores of `--engine-teams` teams (default 5 and 199: the
   standard demo's 30 series and 1,000 series; `dataops forecast` from cold in a fresh process
   each): the local pool and Spark (`--spark-master`, default local[workers]),
   wall and CPU time (the process and all it started: CmdStan, the JVM, Spark's Python
   workers), CPU seconds per series, series per minute, and the largest gap between the two
   engines' forecast totals of a series (skipped without Java or pyspark, or with --no-spark);
5. the backtest table of the real public series (last 90 days held out, never seen by the
   settings search): the natural model's MAPE, sMAPE and interval coverage against
   seasonal-naive, and Prophet at its defaults for comparison.
"""

from __future__ import annotations

import argparse
import contextlib
import ctypes
import datetime as dt
import importlib.util
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd
import polars as pl

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # the real-series loaders live with the tests

from forecasting.backtest import backtest_series  # noqa: E402
from forecasting.inputs import read_inputs, series_job  # noqa: E402
from forecasting.jobs import Purpose  # noqa: E402
from forecasting.model import date_range  # noqa: E402
from forecasting.quiet import silence_fitting_logs  # noqa: E402
from forecasting.runner import freeze_goal_baseline, refresh_rolling  # noqa: E402
from forecasting.scoring import accuracy, seasonal_naive  # noqa: E402
from metrics.demo import DemoConfig  # noqa: E402
from metrics.forecasts import reads as fs  # noqa: E402
from metrics.store.connection import open_store  # noqa: E402
from tests.forecasting.real_series import REAL_CASES  # noqa: E402
from workflows.demo import build_demo_store  # noqa: E402

REAL_DATA = ROOT.parent / "shared" / "data" / "real"
# Two trend families, each fitted from two backtest origins and on the whole history.
FITS_PER_SERIES = 6
END = dt.date(2025, 11, 30)


def cpu_seconds() -> float:
    """CPU time of this process and its finished children (CmdStan runs as a child)."""
    own, children = (
        resource.getrusage(resource.RUSAGE_SELF),
        resource.getrusage(resource.RUSAGE_CHILDREN),
    )
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def bare_prophet_seconds(path: Path, goal: str) -> tuple[float, float, int]:
    """Mean wall and CPU time of Prophet() at its defaults, fit + predict, per goal series."""
    silence_fitting_logs()
    from prophet import Prophet

    with open_store(path, read_only=True) as con:
        period = fs.goal_period(con, goal)
        series = fs.goal_series(con, goal)
        inputs = read_inputs(con, series, "goal", goal, None)
    days = date_range(period.start_day, period.end_day)
    future = pd.DataFrame({"ds": pd.to_datetime(days.to_list())})
    total, cpu = 0.0, cpu_seconds()
    for metric, team in series:
        job = series_job(inputs, metric, team, before=period.start_day, days=days,
                         purpose=Purpose.GOAL)  # fmt: skip
        frame = job.history.drop_nulls().rename({"day": "ds"}).to_pandas()
        frame["ds"] = pd.to_datetime(frame["ds"])
        started = time.perf_counter()
        Prophet().fit(frame).predict(future)
        total += time.perf_counter() - started
    return total / len(series), (cpu_seconds() - cpu) / len(series), len(series)


def demo_figures(teams: int, workers: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        scratch = Path(folder)
        store = scratch / "demo.duckdb"
        build_demo_store(store, DemoConfig(seed=7, teams=teams, years=3, end=END))
        with open_store(store, read_only=True) as con:
            goal = con.execute("select goal from goals").fetchall()[0][0]
        cpu = cpu_seconds()
        frozen = freeze_goal_baseline(copy(store, scratch, "goal"), goal, workers=1)
        count = len(frozen.fitted)
        runner, runner_cpu = frozen.seconds / count, (cpu_seconds() - cpu) / count
        bare, bare_cpu, _ = bare_prophet_seconds(store, goal)
        print(f"goal {goal} of the demo ({teams} teams + unassigned): {count} series, 1 process")
        print("                          wall     CPU")
        print(f"  runner per series       {runner:5.2f} s {runner_cpu:5.2f} s  (backtests "
              "from two origins x two families, two final fits, calibration, writes)")  # fmt: skip
        print(f"  bare Prophet per series {bare:5.2f} s {bare_cpu:5.2f} s  (defaults, fit + "
              "predict)")  # fmt: skip
        print(f"  overhead ratio          {runner / bare:5.1f}x {runner_cpu / bare_cpu:5.1f}x")
        fits = FITS_PER_SERIES
        print(f"  per Prophet fit         {runner / fits:5.2f} s {runner_cpu / fits:5.2f} s  "
              f"(the runner's time over the {fits} fits a series needs: "
              f"{runner_cpu / fits / bare_cpu:.2f}x a bare fit + predict)")  # fmt: skip
        serial = refresh_rolling(copy(store, scratch, "serial"), workers=1)
        rolling = copy(store, scratch, "parallel")
        cold = refresh_rolling(rolling, workers=workers)
        warm = refresh_rolling(rolling, workers=workers)
        total = len(cold.outcomes)
        load = os.getloadavg()[0]
        print(f"rolling refresh of all {total} series (each with its 90-day backtest; wall "
              f"time, load average {load:.1f} on {os.cpu_count()} cores):")  # fmt: skip
        print(f"  serial, 1 process       {serial.seconds:6.1f} s")
        print(f"  parallel, {workers} workers     {cold.seconds:6.1f} s"
              f"  speed-up {serial.seconds / cold.seconds:.2f}x")  # fmt: skip
        faster = cold.seconds / warm.seconds
        print(f"  unchanged store again   {warm.seconds:6.2f} s  ({len(warm.fitted)} fitted, "
              f"{len(warm.skipped)} skipped: {faster:.0f}x faster than cold)")  # fmt: skip


def copy(store: Path, scratch: Path, name: str) -> Path:
    path = scratch / f"{name}.duckdb"
    shutil.copyfile(store, path)
    return path


def engine_figures(workers: int, master: str, teams: int) -> None:
    """The local pool and Spark on the same cold store, each in a fresh `dataops` process."""
    if shutil.which("java") is None or importlib.util.find_spec("pyspark") is None:
        print("\nengines: skipped (Spark needs Java and pyspark: pip install -e '.[spark]')")
        return
    with tempfile.TemporaryDirectory() as folder:
        scratch = Path(folder)
        store = scratch / "demo.duckdb"
        build_demo_store(store, DemoConfig(seed=7, teams=teams, years=3, end=END))
        local, spark = copy(store, scratch, "local"), copy(store, scratch, "spark")
        rows = [
            ("local pool", *dataops_forecast(local, "--workers", str(workers))),
            (f"spark {master}", *dataops_forecast(spark, "--engine", "spark",
                                                  "--spark-master", master)),
        ]  # fmt: skip
        again, _ = dataops_forecast(local, "--workers", str(workers))
        both = rolling_totals(local).join(
            rolling_totals(spark), on=("metric", "team"), suffix="_spark"
        )
        count = both.height
        gap = both.select(((pl.col("total_spark") / pl.col("total")) - 1).abs().max()).item()
        fits = (both["fit"].mean(), both["fit_spark"].mean())
    print(f"\nengines, rolling refresh of a demo of {teams} teams from cold ({count} series, load "
          f"average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores):")  # fmt: skip
    print("                      wall s    CPU s  CPU s/series  series/min  fit s/series")
    for (label, wall, cpu), fit in zip(rows, fits, strict=True):
        print(f"  {label:18s} {wall:7.1f} {cpu:8.1f} {cpu / count:13.2f} "
              f"{60 * count / wall:11.1f} {fit:13.2f}")  # fmt: skip
    print("  (fit s/series: wall time of the per-series function inside its worker)")
    print(f"  largest gap between the engines' 90-day totals of a series: {gap:.3%}")
    cold = rows[0][1]
    print(
        f"  local again on the unchanged store: {again:.2f} s ({cold / again:.0f}x faster "
        "than cold, start-up of the process included)"
    )


def dataops_forecast(store: Path, *args: str) -> tuple[float, float]:
    """Wall and CPU seconds of `dataops forecast --store STORE ARGS` in a fresh process.

    CPU counts every process it started: this one becomes their subreaper, so the pool's
    forkserver and Spark's JVM, which outlive the command and would otherwise be reaped by init,
    are reaped here and their CPU (with their workers' and CmdStan's) lands in our children's."""
    _become_subreaper()
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "cli.main", "forecast", "--store", str(store), *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    if done.returncode:
        print(f"dataops forecast {' '.join(args)} exited {done.returncode}:\n{done.stderr[-2000:]}")
    wall = time.perf_counter() - started
    _reap_orphans()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime


def _become_subreaper() -> None:
    """prctl(PR_SET_CHILD_SUBREAPER) on Linux; elsewhere CPU misses the orphaned processes."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(36, 1, 0, 0, 0)


def _reap_orphans(timeout: float = 60.0) -> None:
    """Wait (at most `timeout` s) for the processes the command left behind to finish."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            time.sleep(0.2)


def rolling_totals(store: Path) -> pl.DataFrame:
    """Each series' rolling forecast summed over the days after its data, and the seconds its
    fit took inside the worker."""
    with open_store(store, read_only=True) as con:
        return con.sql(
            """
            select r.metric, r.team, sum(f.yhat) as total, any_value(r.fit_seconds) as fit
            from forecast_runs r join forecasts f using (run)
            where r.purpose = 'rolling' and r.status = 'ok'
              and f.day > (select max(day) from observations o
                           where o.metric = r.metric and o.team = r.team)
            group by r.metric, r.team
            """
        ).pl()


def prophet_defaults(frame: pl.DataFrame, horizon: int, country: str) -> tuple[float, float]:
    """MAPE and sMAPE of Prophet at its defaults (with its own country holidays)."""
    from prophet import Prophet

    train, held = frame.head(frame.height - horizon), frame.tail(horizon).drop_nulls()
    history = train.drop_nulls().rename({"day": "ds"}).to_pandas()
    history["ds"] = pd.to_datetime(history["ds"])
    model = Prophet()
    model.add_country_holidays(country)
    model.fit(history)
    future = pd.DataFrame({"ds": pd.to_datetime(held["day"].to_list())})
    result = accuracy(held["y"].to_numpy(), model.predict(future)["yhat"].to_numpy())
    return result.mape, result.smape


def real_table(horizon: int = 90) -> None:
    print(f"\nreal series, last {horizon} days held out (settings chosen on the days before):")
    header = ("series", "model MAPE", "sMAPE", "cover", "naive MAPE", "sMAPE", "defaults sMAPE")
    print("  {:16s} {:>10s} {:>7s} {:>6s} {:>10s} {:>7s} {:>14s}  chosen".format(*header))
    for case in REAL_CASES:
        frame = case.frame(REAL_DATA)
        result = backtest_series(frame.select(ds="day", y="y"), horizon, country=case.country)
        naive = accuracy(
            frame.tail(horizon).drop_nulls()["y"].to_numpy(),
            seasonal_naive(
                frame.head(frame.height - horizon), frame.tail(horizon).drop_nulls()["day"]
            ),
        )
        _, defaults = prophet_defaults(frame, horizon, case.country)
        chosen = json.loads(result.settings_json)["candidate"]
        model = result.model
        print(f"  {case.name:16s} {model.mape:10.2%} {model.smape:7.2%} {model.coverage:6.0%} "
              f"{naive.mape:10.2%} {naive.smape:7.2%} {defaults:14.2%}  {chosen}")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--teams", type=int, default=2)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--no-real", action="store_true", help="skip the real-series table")
    parser.add_argument("--no-demo", action="store_true", help="skip the runner figures")
    parser.add_argument("--no-spark", action="store_true", help="skip the engine comparison")
    parser.add_argument("--spark-master", help="default: local[--workers]")
    parser.add_argument(
        "--engine-teams",
        default="5,199",
        help="demo sizes for the engine comparison, comma-separated (5: 30 series, 199: 1,000)",
    )
    args = parser.parse_args()
    silence_fitting_logs()
    import prophet  # noqa: F401 - warm: neither side of the comparison pays the import

    if not args.no_demo:
        demo_figures(args.teams, args.workers)
    if not args.no_spark:
        for teams in (int(part) for part in args.engine_teams.split(",")):
            engine_figures(args.workers, args.spark_master or f"local[{args.workers}]", teams)
    if not args.no_real and REAL_DATA.is_dir():
        real_table()


if __name__ == "__main__":
    main()
