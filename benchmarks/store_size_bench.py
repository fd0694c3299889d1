"""What a store of about 5 million observations takes on disk, table by table, and over refreshes.

    .venv/bin/python benchmarks/store_size_bench.py [--teams 700] [--years 3]
        [--refreshes 3] [--keep PATH]

Builds the demo company (`--teams` x 5 metrics x `--years` full years and the current one: 700
x 3 gives about 5.0 million observations) with its goal baseline frozen and every series'
rolling forecast, written by the real runner and writes (`forecasting.runner`, calibration,
selection JSON, backtests) but fitted by `forecasting.stand_in` instead of Prophet, so the
tables and rows per series are a real run's without an hour of fits. Then prints:

- the file's size after CHECKPOINT, and DuckDB's own block count (used and free);
- each table's size, measured by copying it (with its key, so its index counts) into a fresh
  DuckDB file and taking that file's size after CHECKPOINT, less an empty store's (a table
  takes whole 256 KB blocks there, so a small one shows 0.3-0.5 MB it does not take in the
  store, where small tables share blocks);
- observations + forecasts, with their keys and as data alone, and the file against the bar of
  3x that;
- what the `forecast_samples` view would hold if it were a table: its rows, and their size
  estimated from a few runs' samples stored the same way;
- the file's size after each of `--refreshes` nightly refreshes (one new day of observations
  for every series, so every rolling run is replaced), to show whether the file keeps growing.
"""

from __future__ import annotations

import argparse
import datetime as dt
import tempfile
import time
from pathlib import Path

import duckdb

from forecasting.stand_in import StandInEngine
from metrics.demo import DemoConfig
from metrics.store.connection import open_store
from workflows.demo import build_demo_store
from workflows.forecasts import refit_forecasts

MB = 1e6
SAMPLED_RUNS = 20  # runs whose paths are stored to estimate the view's size as a table
BASE = ("observations", "forecasts")  # what the bar is a multiple of


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--teams", type=int, default=700)
    parser.add_argument("--years", type=int, default=3)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--end", type=dt.date.fromisoformat, default=None, help="last data day")
    parser.add_argument("--refreshes", type=int, default=3)
    parser.add_argument("--keep", type=Path, help="build the store here and keep it")
    args = parser.parse_args()
    config = DemoConfig(seed=args.seed, teams=args.teams, years=args.years)
    if args.end:
        config = DemoConfig(seed=args.seed, teams=args.teams, years=args.years, end=args.end)
    with tempfile.TemporaryDirectory() as folder:
        path = args.keep or Path(folder) / "store.duckdb"
        build(path, config)
        report(path, Path(folder))
        for night in range(1, args.refreshes + 1):
            refresh(path, night)


def build(path: Path, config: DemoConfig) -> None:
    """The demo store as `dataops demo` makes it (goal baseline frozen, every series' rolling
    forecast), the fits stood in for."""
    started = time.perf_counter()
    summary = build_demo_store(path, config, forecast=True, engine=StandInEngine())
    print(
        f"demo: {config.teams} teams x {config.days:,} days ({config.start} to {config.end}), "
        f"{summary.observations:,} observations; {len(summary.fitted.baseline.fitted):,} goal "
        f"series frozen and every series' rolling forecast written (stand-in fits) in "
        f"{time.perf_counter() - started:.0f} s"
    )


def report(path: Path, scratch: Path) -> None:
    with duckdb.connect(str(path)) as con:
        con.execute("checkpoint")
        tables = [name for (name,) in con.execute(_TABLES).fetchall()]
        rows = {t: con.execute(f"select count(*) from {t}").fetchall()[0][0] for t in tables}
        blocks = con.sql("pragma database_size").pl().row(0, named=True)
        view_rows, view_runs = con.execute(_SAMPLE_ROWS).fetchall()[0]
    total = path.stat().st_size
    sizes = {table: table_size(path, table, scratch, keyed=True) for table in tables}
    data = {table: table_size(path, table, scratch, keyed=False) for table in BASE}
    print(
        f"\nfile after CHECKPOINT: {total / MB:.1f} MB ({blocks['used_blocks']:,} blocks used, "
        f"{blocks['free_blocks']:,} free, of {blocks['block_size']:,} bytes)"
    )
    print(f"{'table':<24}{'rows':>14}{'MB':>10}{'bytes/row':>11}")
    for table in sorted(tables, key=lambda t: -sizes[t]):
        per_row = sizes[table] / rows[table] if rows[table] else 0
        print(f"{table:<24}{rows[table]:>14,}{sizes[table] / MB:>10.1f}{per_row:>11.1f}")
    print(f"{'(sum of tables)':<24}{'':>14}{sum(sizes.values()) / MB:>10.1f}")
    for label, measured in (("with their keys", sizes), ("data alone, no key", data)):
        base = sum(measured[table] for table in BASE)
        parts = " + ".join(f"{table} {measured[table] / MB:.1f}" for table in BASE)
        print(
            f"{label}: {parts} = {base / MB:.1f} MB; the file is {total / base:.2f}x that (bar: 3x)"
        )
    sample_mb = samples_size(path, scratch) * view_rows / MB
    print(
        f"forecast_samples (a view): {view_rows:,} rows over {view_runs:,} runs; stored as a "
        f"table they would take about {sample_mb:,.0f} MB"
    )


def table_size(path: Path, table: str, scratch: Path, *, keyed: bool) -> int:
    """Bytes `table` adds to an empty DuckDB file: created as the store creates it (key and
    sequences included) when `keyed`, else its columns alone."""
    copy = scratch / f"{table}.duckdb"
    empty = scratch / "empty.duckdb"
    for target, fill in ((copy, True), (empty, False)):
        target.unlink(missing_ok=True)
        with duckdb.connect(str(target)) as con:
            con.execute(f"attach '{path}' as src (read_only)")
            if keyed:
                for (ddl,) in con.execute(_SEQUENCES).fetchall():
                    con.execute(ddl)
                con.execute(_ddl(con, table))
            else:
                con.execute(f"create table {table} as from src.{table} limit 0")
            if fill:
                con.execute(f"insert into {table} select * from src.{table}")
            con.execute("detach src")
            con.execute("checkpoint")
    return copy.stat().st_size - empty.stat().st_size


def samples_size(path: Path, scratch: Path) -> float:
    """Bytes per row of the view's rows stored as a table, from SAMPLED_RUNS runs."""
    copy = scratch / "samples.duckdb"
    copy.unlink(missing_ok=True)
    empty = scratch / "nothing.duckdb"
    empty.unlink(missing_ok=True)
    duckdb.connect(str(empty)).close()
    with duckdb.connect(str(path), read_only=True) as con:
        frame = (
            con.sql(
                "select * from forecast_samples where run in"
                f" (select run from calibrations order by run limit {SAMPLED_RUNS})"
            )
            .arrow()
            .read_all()
        )
    with duckdb.connect(str(copy)) as con:
        con.execute(
            "create table forecast_samples(run bigint not null, sample integer not null,"
            " day date not null, value double not null)"
        )
        con.execute("insert into forecast_samples select * from frame")
        con.execute("checkpoint")
    return (copy.stat().st_size - empty.stat().st_size) / max(frame.num_rows, 1)


def refresh(path: Path, night: int) -> None:
    """A nightly refresh: one more day of every series arrives, every rolling run is refitted."""
    with open_store(path) as con:
        con.execute(
            "insert into observations select day + 1, metric, team, value * (1 + 0.01 * $n)"
            " from observations where day = (select max(day) from observations)",
            {"n": night},
        )
    started = time.perf_counter()
    report = refit_forecasts(path, engine=StandInEngine())
    with duckdb.connect(str(path)) as con:
        con.execute("checkpoint")
        blocks = con.sql("pragma database_size").pl().row(0, named=True)
    print(
        f"refresh {night}: {len(report.fitted):,} series refitted in "
        f"{time.perf_counter() - started:.0f} s; file {path.stat().st_size / MB:.1f} MB "
        f"({blocks['used_blocks']:,} blocks used, {blocks['free_blocks']:,} free)"
    )


def _ddl(con: duckdb.DuckDBPyConnection, table: str) -> str:
    rows = con.execute(
        "select sql from duckdb_tables() where database_name = 'src' and table_name = $t",
        {"t": table},
    ).fetchall()
    return rows[0][0]


_TABLES = "select table_name from duckdb_tables() where database_name = current_database()"
_SEQUENCES = "select sql from duckdb_sequences() where database_name = 'src'"
_SAMPLE_ROWS = """
    select coalesce(sum(f.n * d.n), 0), count(*)
    from (select run, count(*) n from forecasts group by run) f
    join calibrations using (run)
    join (select run, count(*) n from calibration_draws group by run) d using (run)
"""


if __name__ == "__main__":
    main()
