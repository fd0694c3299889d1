"""Syncing a million observations from PostgreSQL and from Parquet, against the bare read.

    .venv/bin/python benchmarks/sync_bench.py [--teams 250] [--days 1000]

Starts a throwaway PostgreSQL (Debian's package, as the tests do) holding teams x 4 metrics x
days rows, and writes the same rows as 10 Parquet files. For each source it prints the driver's
bare read of the same rows (ADBC into Polars; Polars' Parquet reader), a first sync into an empty
store (read + the import's checks + the diff + one transaction), and an incremental day (one
new day plus the 7-day restatement window re-read). Forecasts are not refitted here.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import tempfile
import time
from pathlib import Path

import polars as pl

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # the test suite's PostgreSQL helper

from metrics.importing import import_files  # noqa: E402
from metrics.sources.definitions import Source, SourceKind, Target, add_source  # noqa: E402
from metrics.sources.readers import read_files, read_postgres  # noqa: E402
from metrics.sources.templates import expand  # noqa: E402
from metrics.store.connection import open_store  # noqa: E402
from tests.postgres_server import missing_reason, running_postgres  # noqa: E402
from workflows.sync import sync_sources  # noqa: E402

METRICS = ("gmv", "orders", "visitors", "new_users")
START = dt.date(2023, 1, 1)
QUERY = "select date, metric, team, value from obs"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--teams", type=int, default=250)
    parser.add_argument("--days", type=int, default=1000)
    args = parser.parse_args()
    rows = args.teams * len(METRICS) * args.days
    print(f"{rows:,} rows: {args.teams} teams x {len(METRICS)} metrics x {args.days} days")
    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        frame = observations(args.teams, args.days)
        parquet(frame, folder)
        postgres(frame, folder, args.teams)


def observations(teams: int, days: int, start: dt.date = START) -> pl.DataFrame:
    dates = pl.date_range(start, start + dt.timedelta(days=days - 1), eager=True)
    frame = (
        pl.DataFrame({"date": dates})
        .join(pl.DataFrame({"metric": METRICS}), how="cross")
        .join(pl.DataFrame({"team": [f"team_{i:04d}" for i in range(teams)]}), how="cross")
    )
    noise = (pl.int_range(pl.len()).hash(7) % 100_000).cast(pl.Float64) / 10
    return frame.with_columns(noise.alias("value"))


def catalogue_store(path: Path, teams: int) -> Path:
    team_csv = "team,name,department\n" + "".join(
        f"team_{i:04d},Team {i},dept_{i % 10}\n" for i in range(teams)
    )
    metric_csv = "metric,name,kind,unit,numerator,denominator,higher_is_better\n" + "".join(
        f"{m},{m},flow,,,,true\n" for m in METRICS
    )
    with open_store(path) as con:
        import_files(
            con, [("teams", "t.csv", team_csv.encode()), ("metrics", "m.csv", metric_csv.encode())]
        )
    return path


def timed(action):
    started = time.perf_counter()
    result = action()
    return result, time.perf_counter() - started


def report_sync(label: str, store: Path, bare_seconds: float, env=None) -> None:
    (result,), seconds = timed(lambda: sync_sources(store, env=env).results)
    run = result.run
    assert result.ok, run.message
    ratio = f", {seconds / bare_seconds:.1f}x the bare read" if bare_seconds else ""
    print(
        f"  {label}: {seconds:.2f} s, {run.rows_read / seconds:,.0f} rows/s{ratio} "
        f"(read {run.rows_read:,}, inserted {run.inserted:,}, replaced {run.replaced:,})"
    )


def parquet(frame: pl.DataFrame, folder: Path) -> None:
    lake = folder / "lake"
    lake.mkdir()
    months = frame.with_columns(pl.col("date").dt.month().alias("_month"))
    for i, part in enumerate(months.partition_by("_month", include_key=False)):
        part.write_parquet(lake / f"part-{i:02d}.parquet")
    print("Parquet (12 files, Polars)")
    bare, seconds = timed(lambda: pl.read_parquet(str(lake / "*.parquet")))
    print(f"  bare read: {seconds:.2f} s, {bare.height / seconds:,.0f} rows/s")
    _, with_where = timed(lambda: read_files(SourceKind.PARQUET, str(lake), None))
    print(f"  reader with file and row of each row: {with_where:.2f} s")
    teams = frame["team"].n_unique()
    store = catalogue_store(folder / "parquet.duckdb", teams)
    with open_store(store) as con:
        add_source(con, Source("lake", SourceKind.PARQUET, Target.OBSERVATIONS, str(lake)), "b")
    report_sync("first sync", store, seconds)
    next_day = frame["date"].max() + dt.timedelta(days=1)
    observations(teams, 1, next_day).write_parquet(lake / "part-new.parquet")
    report_sync("incremental day", store, 0)


def postgres(frame: pl.DataFrame, folder: Path, teams: int) -> None:
    reason = missing_reason()
    if reason:
        print(f"PostgreSQL: skipped ({reason})")
        return
    print("PostgreSQL (ADBC)")
    # The SQL below is built from this script's own numbers and names, never from input.
    with running_postgres() as server:
        days = frame["date"].n_unique()
        server.execute(
            "create table obs (date date, metric text, team text, value double precision)",
            f"""insert into obs
                select date '{START}' + d, m, 'team_' || lpad(t::text, 4, '0'),
                       ((d * 7919 + t * 104729) % 100000) / 10.0
                from generate_series(0, {days - 1}) d,
                     unnest(array{list(METRICS)}) m,
                     generate_series(0, {teams - 1}) t""",
            "analyze obs",
        )
        env = {"PW": server.password}
        uri = expand(server.uri(password="${PW}"), env)
        bare, seconds = timed(lambda: read_postgres(uri, QUERY, None))
        print(f"  bare read: {seconds:.2f} s, {bare.height / seconds:,.0f} rows/s")
        store = catalogue_store(folder / "postgres.duckdb", teams)
        source = Source("wh", SourceKind.POSTGRES, Target.OBSERVATIONS,
                        server.uri(password="${PW}"), QUERY)  # fmt: skip
        with open_store(store) as con:
            add_source(con, source, "bench")
        report_sync("first sync", store, seconds, env)
        server.execute(
            f"""insert into obs select date '{START}' + {days}, m,
                'team_' || lpad(t::text, 4, '0'), 1.0
                from unnest(array{list(METRICS)}) m, generate_series(0, {teams - 1}) t""",
            f"update obs set value = value + 1 where date = date '{START}' + {days - 3}"
            " and team = 'team_0000'",
        )
        report_sync("incremental day (+1 corrected day)", store, 0, env)


if __name__ == "__main__":
    main()
