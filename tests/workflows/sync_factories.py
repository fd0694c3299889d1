"""Small seeded sources: a store that knows the sample teams and metrics, and daily rows."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl

from metrics.importing import import_files
from metrics.store.connection import open_store

SAMPLES = Path(__file__).resolve().parents[2] / "data" / "samples"
TEAMS = ("promotions", "user_ops")
START = dt.date(2026, 11, 1)


def catalogue_store(path: Path) -> Path:
    """A store holding the sample teams and metrics, and no observations."""
    files = [
        (kind, f"{kind}.csv", (SAMPLES / f"{kind}.csv").read_bytes())
        for kind in ("teams", "metrics")
    ]
    with open_store(path) as con:
        import_files(con, files)
    return path


def daily_rows(days: int, start: dt.date = START, teams=TEAMS, seed: int = 3) -> pl.DataFrame:
    """Columns: date (Date), metric, team, value — gmv and orders per team per day."""
    dates = pl.date_range(start, start + dt.timedelta(days=days - 1), eager=True)
    frame = (
        pl.DataFrame({"date": dates})
        .join(pl.DataFrame({"metric": ["gmv", "orders"]}), how="cross")
        .join(pl.DataFrame({"team": list(teams)}), how="cross")
    )
    noise = pl.Series(
        "value", (pl.int_range(frame.height, eager=True).hash(seed) % 1000).cast(pl.Float64)
    )
    return frame.with_columns((noise + 100).alias("value"))


def store_observations(path: Path) -> pl.DataFrame:
    with open_store(path, read_only=True) as con:
        return con.sql("select day, metric, team, value from observations order by all").pl()


def create_table(postgres, name: str, rows: pl.DataFrame) -> None:
    values = ", ".join(f"('{d}', '{m}', '{t}', {v!r})" for d, m, t, v in rows.iter_rows())
    postgres.execute(
        f"drop table if exists {name}",
        f"create table {name} (date date, metric text, team text, value double precision)",
        *([f"insert into {name} values {values}"] if rows.height else []),
    )
