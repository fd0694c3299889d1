"""What a source is, and adding, listing and removing them (one row each in `sources`)."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

from metrics.sources.templates import SourceRefused, check_template, mask
from metrics.store.errors import DataopsError

if TYPE_CHECKING:  # the enums and defaults above the queries declare `dataops source` options
    import duckdb
    import polars as pl

_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
DEFAULT_RESTATEMENT_DAYS = 7
DEFAULT_LAG_DAYS = 1  # data up to yesterday is on time


class SourceKind(StrEnum):
    POSTGRES = "postgres"
    PARQUET = "parquet"
    CSV = "csv"


class Target(StrEnum):
    """The store table a source fills, in the import format of the same name. Declaration
    order is sync order: teams first, so the rows of other sources may name new teams."""

    TEAMS = "teams"
    OBSERVATIONS = "observations"
    INITIATIVES = "initiatives"


@dataclass(frozen=True)
class Source:
    name: str
    kind: SourceKind
    target: Target
    uri: str  # a template: ${VAR} references are expanded at sync time only
    query: str | None = None  # postgres: SQL returning the format's columns; None = whole table
    restatement_days: int = DEFAULT_RESTATEMENT_DAYS
    lag_days: int = DEFAULT_LAG_DAYS

    @property
    def label(self) -> str:
        return f"source {self.name}"


class UnknownSource(DataopsError):
    exit_code = 2


def validate_source(source: Source) -> None:
    """Refuse what could not be synced, naming the fix; never shows a password."""
    if not _NAME.match(source.name):
        raise SourceRefused(
            f"source name {source.name!r} is not usable. Fix: use letters, digits, _ . - "
            "(up to 64), starting with a letter or digit, e.g. warehouse"
        )
    check_template(source.uri)
    if source.query is not None and source.kind != SourceKind.POSTGRES:
        raise SourceRefused(
            f"a query is for postgres sources; a {source.kind} source reads its files whole. "
            "Fix: <<query_files>>"
        )
    for label, days in (("restatement", source.restatement_days), ("lag", source.lag_days)):
        if days < 0:
            raise SourceRefused(f"{label} days {days} is negative. Fix: give 0 or more days")


def add_source(con: duckdb.DuckDBPyConnection, source: Source, by: str) -> None:
    validate_source(source)
    if source.name in {s.name for s in load_sources(con)}:
        raise SourceRefused(
            f"a source named {source.name!r} exists. Fix: <<remove_source>>",
            source=source.name,
        )
    con.execute(
        "insert into sources (source, kind, target, uri, query, restatement_days, lag_days,"
        " created_at, created_by) values ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        [
            source.name,
            source.kind.value,
            source.target.value,
            source.uri,
            source.query,
            source.restatement_days,
            source.lag_days,
            dt.datetime.now(),
            by,
        ],
    )


def remove_source(con: duckdb.DuckDBPyConnection, name: str) -> None:
    """Forget a source (its runs stay in sync_runs as history; its rows stay in the store)."""
    load_source(con, name)
    con.execute("delete from sources where source = $1", [name])


def load_sources(con: duckdb.DuckDBPyConnection) -> list[Source]:
    rows = con.execute(
        "select source, kind, target, uri, query, restatement_days, lag_days"
        " from sources order by source"
    ).fetchall()
    return [
        Source(name, SourceKind(kind), Target(target), uri, query, restate, lag)
        for name, kind, target, uri, query, restate, lag in rows
    ]


def load_source(con: duckdb.DuckDBPyConnection, name: str) -> Source:
    sources = {s.name: s for s in load_sources(con)}
    if name not in sources:
        known = ", ".join(sources) or "none yet"
        raise UnknownSource(f"no source named {name!r} (known: {known}). Fix: <<list_sources>>")
    return sources[name]


def sources_table(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """Columns: source, kind, target, uri (passwords masked), query, restatement_days,
    lag_days, created_at, created_by."""
    import polars as pl  # here: `dataops source --help` needs this module's enums, not Polars

    from metrics.store.frames import frame

    sources = frame(
        con.sql(
            "select source, kind, target, uri, query, restatement_days, lag_days, created_at,"
            " created_by from sources order by source"
        )
    )
    return sources.with_columns(pl.col("uri").map_elements(mask, return_dtype=pl.String))
