"""The record of every sync run: what it read, wrote and why it stopped."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

import duckdb
import polars as pl


class Outcome(StrEnum):
    OK = "ok"
    REFUSED = "refused"  # the batch broke an import rule: nothing written
    FAILED = "failed"  # the source could not be read (down, bad query, no files)


@dataclass(frozen=True)
class SyncRun:
    source: str
    started_at: dt.datetime
    seconds: float
    outcome: Outcome
    rows_read: int = 0
    inserted: int = 0
    replaced: int = 0
    first_day: dt.date | None = None
    last_day: dt.date | None = None
    message: str = ""


def record_run(con: duckdb.DuckDBPyConnection, run: SyncRun) -> None:
    con.execute(
        "insert into sync_runs (source, started_at, seconds, outcome, rows_read, inserted,"
        " replaced, first_day, last_day, message)"
        " values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        [
            run.source,
            run.started_at,
            run.seconds,
            run.outcome.value,
            run.rows_read,
            run.inserted,
            run.replaced,
            run.first_day,
            run.last_day,
            run.message,
        ],
    )


def last_synced_day(con: duckdb.DuckDBPyConnection, source: str) -> dt.date | None:
    """The latest day a successful run of `source` read, or None before its first."""
    rows = con.execute(
        "select max(last_day) from sync_runs where source = $1 and outcome = 'ok'", [source]
    ).fetchall()
    return rows[0][0]


def sync_runs(con: duckdb.DuckDBPyConnection, limit: int = 500) -> pl.DataFrame:
    """Columns: run, source, started_at, seconds, outcome, rows_read, inserted, replaced,
    first_day, last_day, message — newest first."""
    return con.sql(
        "select run, source, started_at, seconds, outcome, rows_read, inserted, replaced,"
        " first_day, last_day, message from sync_runs order by run desc limit $limit",
        params={"limit": limit},
    ).pl()


def read_window(
    last_day: dt.date | None, since: dt.date | None, restatement_days: int
) -> dt.date | None:
    """The first day to read: `since` when given, else the restatement window before the last
    synced day (late corrections there replace what was stored), else everything (None)."""
    if since is not None:
        return since
    if last_day is None:
        return None
    return last_day - dt.timedelta(days=restatement_days)
