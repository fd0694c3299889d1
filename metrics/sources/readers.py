"""Reading a source into a Polars frame, from a given day on.

PostgreSQL goes through ADBC's PostgreSQL driver: it speaks libpq's binary COPY and hands Arrow
batches straight to Polars, with no Python object per row (see docs/developing.md). The day
filter is pushed into the query as a bound parameter. Parquet and CSV files are scanned lazily
by Polars over a folder or glob, each row keeping its file and row so a problem names both.
CSV cells are read as text, exactly what `dataops import` checks.
"""

from __future__ import annotations

import datetime as dt
import glob
from pathlib import Path

import polars as pl

from metrics.importing.checks import FILE
from metrics.importing.parsing import ROW
from metrics.sources.definitions import Source, SourceKind, Target
from metrics.sources.templates import Expanded
from metrics.store.errors import DataopsError

CONNECT_TIMEOUT = 20  # seconds


class SourceUnreadable(DataopsError):
    """The source is down, its query is wrong or its files are missing; nothing was written."""


def read_source(source: Source, uri: Expanded, since: dt.date | None) -> pl.DataFrame:
    """The source's rows (observations from `since` on; other tables whole)."""
    since = since if source.target == Target.OBSERVATIONS else None
    if source.kind == SourceKind.POSTGRES:
        return read_postgres(uri, postgres_query(source), since)
    return read_files(source.kind, uri.uri, since)


def postgres_query(source: Source) -> str:
    """The source's query; without one, its target's table of the same name."""
    # The target is one of three fixed table names, never text a user typed.
    query = (source.query or f"select * from {source.target.value}").strip()  # noqa: S608
    return query.rstrip(";").strip()


def read_postgres(uri: Expanded, query: str, since: dt.date | None) -> pl.DataFrame:
    import adbc_driver_manager
    import adbc_driver_postgresql.dbapi as pg

    # The user's query is theirs to write (the owner adds sources); the day is bound.
    sql, params = query, None
    if since is not None:
        sql = f'select * from ({query}) as source_rows where source_rows."date"::date >= $1'  # noqa: S608
        params = (since,)
    try:
        with pg.connect(_with_connect_timeout(uri.uri)) as con, con.cursor() as cursor:
            cursor.execute(sql, parameters=params)
            table = cursor.fetch_arrow_table()
    except adbc_driver_manager.Error as error:
        raise SourceUnreadable(_postgres_reason(error, uri)) from None
    return pl.from_arrow(table)


def _with_connect_timeout(uri: str) -> str:
    """libpq waits forever for a host that drops packets; a cron run must end, so give up after
    CONNECT_TIMEOUT seconds unless the URI says otherwise."""
    if "connect_timeout=" in uri or not uri.startswith(("postgresql://", "postgres://")):
        return uri
    return f"{uri}{'&' if '?' in uri else '?'}connect_timeout={CONNECT_TIMEOUT}"


def _postgres_reason(error: Exception, uri: Expanded) -> str:
    text = uri.scrub(str(error)).strip()
    first = text.splitlines()[0] if text else type(error).__name__
    if "Failed to connect" in text or "connection to server" in text:
        detail = " ".join(line.strip() for line in text.splitlines()[:2])
        return f"cannot reach the database ({detail}). Fix: check the host, port, user and password"
    if "does not exist" in text or "syntax error" in text or "SQLSTATE" in text:
        return f"the query failed ({first}). Fix: run it in psql and correct it"
    return f"reading the database failed ({first})"


def read_files(kind: SourceKind, uri: str, since: dt.date | None) -> pl.DataFrame:
    pattern = _pattern(kind, uri)
    # A pattern may hold its wildcards anywhere (/data/*/2026-*.csv): Path.glob wants a root.
    files = sorted(glob.glob(pattern, recursive=True))  # noqa: PTH207
    if not files:
        raise SourceUnreadable(
            f"no {kind} files match {pattern}. Fix: check the folder or glob, and that the "
            "sync runs where the files are mounted"
        )
    try:
        if kind == SourceKind.CSV:
            frame = pl.scan_csv(files, infer_schema=False, include_file_paths=FILE)
            first_row = 2  # the header is row 1, as in a spreadsheet
        else:
            frame = pl.scan_parquet(files, include_file_paths=FILE)
            first_row = 1
        frame = frame.with_columns(
            (pl.int_range(pl.len(), dtype=pl.Int64).over(FILE) + first_row).alias(ROW)
        )
        if since is not None and "date" in frame.collect_schema():
            frame = frame.filter(_on_or_after(frame.collect_schema()["date"], since))
        return frame.collect()
    except (pl.exceptions.PolarsError, OSError) as error:
        reason = str(error).strip().splitlines()[0]
        raise SourceUnreadable(f"reading {pattern} failed ({reason})") from None


def _pattern(kind: SourceKind, uri: str) -> str:
    path = Path(uri).expanduser()
    if path.is_dir():
        return str(path / "**" / f"*.{kind.value}")
    return str(path)


def _on_or_after(dtype: pl.DataType, since: dt.date) -> pl.Expr:
    """Rows from `since` on; a day that is not a date is kept, so the rules can name it."""
    if dtype == pl.Date:
        return pl.col("date") >= since
    day = pl.col("date").cast(pl.String).str.strip_chars().str.to_date("%Y-%m-%d", strict=False)
    return day.is_null() | (day >= since)
