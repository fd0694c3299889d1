"""Import of a 1M-row observations file: our validated import next to DuckDB's bare `read_csv`.

    .venv/bin/python benchmarks/import_bench.py [--rows N] [--seed N]

Generates a seeded file (50 teams x 10 flow metrics x days) in a temporary folder, imports its
teams and metrics, then times, each in a fresh store file:
  - ours: read the file, validate every rule, write in one transaction (`import_files`), and
    validation alone (`validate_files`), so the rest is the write;
  - DuckDB: `read_csv` straight into a table with the same primary key (no validation at all),
    and into a table without a key (the floor);
  - ours again on the same file with every field quoted (the quoting-aware parse path);
  - validation of a file whose every row is bad (unknown team), to show the problem cap.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

import duckdb
import numpy as np
import polars as pl

from metrics.importing import ImportKind, import_files, validate_files
from metrics.store.connection import open_store

TEAMS = 50
METRICS = 10


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        run(Path(folder), args.rows, args.seed)


def run(folder: Path, rows: int, seed: int) -> None:
    catalogue = catalogue_files()
    frame = observations(rows, seed)
    plain = folder / "observations.csv"
    frame.write_csv(plain)
    quoted = folder / "observations_quoted.csv"
    frame.write_csv(quoted, quote_style="always")
    print(f"file: {frame.height:,} rows, {plain.stat().st_size / 1e6:.1f} MB")

    validating = timed_validation(folder / "validate.duckdb", catalogue, plain)
    ours = timed_import(folder / "ours.duckdb", catalogue, plain)
    keyed = timed_duckdb(folder / "duckdb_keyed.duckdb", plain, keyed=True)
    bare = timed_duckdb(folder / "duckdb_bare.duckdb", plain, keyed=False)
    ours_quoted = timed_import(folder / "quoted.duckdb", catalogue, quoted)
    bad_seconds, problems = timed_all_bad(folder / "bad.duckdb", catalogue, frame)

    rate = frame.height / ours
    print(f"ours, validate + import, one transaction: {ours:6.2f} s  {rate:,.0f} rows/s")
    print(f"  of which validation alone:               {validating:6.2f} s")
    print(
        f"duckdb read_csv into a keyed table:       {keyed:6.2f} s  ours/duckdb {ours / keyed:.2f}"
    )
    print(f"duckdb read_csv into a table without key: {bare:6.2f} s  ours/duckdb {ours / bare:.2f}")
    print(f"ours, same file with every field quoted:  {ours_quoted:6.2f} s")
    print(f"ours, validating a file of only bad rows: {bad_seconds:6.2f} s  ({problems} listed)")


def catalogue_files() -> list[tuple[ImportKind, str, bytes]]:
    teams = pl.DataFrame(
        {
            "team": [f"team_{i:02d}" for i in range(TEAMS)],
            "name": [f"Team {i}" for i in range(TEAMS)],
            "department": [f"department_{i % 5}" for i in range(TEAMS)],
        }
    )
    metrics = pl.DataFrame(
        {
            "metric": [f"metric_{i}" for i in range(METRICS)],
            "name": [f"Metric {i}" for i in range(METRICS)],
            "kind": ["flow"] * METRICS,
            "unit": ["count"] * METRICS,
            "numerator": [None] * METRICS,
            "denominator": [None] * METRICS,
            "higher_is_better": ["true"] * METRICS,
        }
    )
    return [
        (ImportKind.TEAMS, "teams.csv", teams.write_csv().encode()),
        (ImportKind.METRICS, "metrics.csv", metrics.write_csv().encode()),
    ]


def observations(rows: int, seed: int) -> pl.DataFrame:
    days = -(-rows // (TEAMS * METRICS))
    grid = (
        pl.DataFrame({"date": [date(2020, 1, 1) + timedelta(days=d) for d in range(days)]})
        .join(pl.DataFrame({"metric": [f"metric_{i}" for i in range(METRICS)]}), how="cross")
        .join(pl.DataFrame({"team": [f"team_{i:02d}" for i in range(TEAMS)]}), how="cross")
        .head(rows)
    )
    values = np.random.default_rng(seed).lognormal(8, 1, grid.height)
    return grid.with_columns(value=pl.Series(values))


def timed_import(store: Path, catalogue: list, csv: Path) -> float:
    with open_store(store) as con:
        import_files(con, catalogue)
    start = time.perf_counter()
    with open_store(store) as con:
        report = import_files(con, [(ImportKind.OBSERVATIONS, csv.name, csv.read_bytes())])
    seconds = time.perf_counter() - start
    assert report.observations > 0
    return seconds


def timed_validation(store: Path, catalogue: list, csv: Path) -> float:
    with open_store(store) as con:
        import_files(con, catalogue)
        start = time.perf_counter()
        problems = validate_files(con, [(ImportKind.OBSERVATIONS, csv.name, csv.read_bytes())])
        seconds = time.perf_counter() - start
    assert problems == []
    return seconds


def timed_duckdb(store: Path, csv: Path, *, keyed: bool) -> float:
    key = ", primary key (day, metric, team)" if keyed else ""
    start = time.perf_counter()
    con = duckdb.connect(str(store))
    con.execute(
        f"create table observations (day date, metric varchar, team varchar, value double{key})"
    )
    con.execute(
        "insert into observations select * from read_csv($path, header = true, columns = "
        "{'date': 'date', 'metric': 'varchar', 'team': 'varchar', 'value': 'double'})",
        {"path": str(csv)},
    )
    con.close()
    return time.perf_counter() - start


def timed_all_bad(store: Path, catalogue: list, frame: pl.DataFrame) -> tuple[float, int]:
    data = frame.with_columns(team=pl.lit("nobody")).write_csv().encode()
    with open_store(store) as con:
        import_files(con, catalogue)
        start = time.perf_counter()
        problems = validate_files(con, [(ImportKind.OBSERVATIONS, "bad.csv", data)])
        return time.perf_counter() - start, len(problems)


if __name__ == "__main__":
    main()
