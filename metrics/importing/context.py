"""What the rules check ids against: the store, plus what the same import declares.

Declared definitions win over stored ones (with --replace a metric file may change a metric's
kind), and ids from a file that is itself refused still count as declared, so one bad teams file
does not also flag every observation of its teams.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from dataclasses import dataclass

import duckdb
import polars as pl

from metrics.store.catalog import UNASSIGNED, MetricKind

_SCRATCH = "_import_keys"  # the frame of keys, registered for one query at a time
_NEXT = itertools.count()


@dataclass(frozen=True)
class Known:
    teams: frozenset[str]
    metric_kinds: Mapping[str, str]  # metric -> kind as it will be after this import
    ratios: Mapping[str, tuple[str, str]]  # ratio metric -> (numerator, denominator)
    observed_metrics: frozenset[str]  # metrics the store holds observations of
    part_of_stored_ratio: Mapping[str, str]  # metric -> a stored ratio (not redefined) using it
    unassigned: tuple[str, str]  # the reserved team's name and department, as stored

    @property
    def metrics(self) -> frozenset[str]:
        return frozenset(self.metric_kinds)


def known_ids(con: duckdb.DuckDBPyConnection, teams: pl.DataFrame, metrics: pl.DataFrame) -> Known:
    """`teams` and `metrics` are the declared rows (typed frames of those formats, maybe empty)."""
    stored = con.sql(
        "select metric, kind, numerator, denominator from metrics order by metric"
    ).pl()
    declared = metrics.select(
        "metric", pl.col("_kind").alias("kind"), "numerator", "denominator"
    ).filter(pl.col("metric").is_not_null())
    redefined = pl.col("metric").is_in(declared["metric"].to_list())
    effective = pl.concat([stored.filter(~redefined), declared])
    ratios = effective.filter(pl.col("kind") == MetricKind.RATIO)
    untouched = stored.filter((pl.col("kind") == MetricKind.RATIO) & ~redefined)
    uses = [(part, row[0]) for row in untouched.iter_rows() for part in row[2:4]]
    return Known(
        teams=frozenset(_column(con, "select team from teams")) | _ids(teams, "team"),
        metric_kinds=dict(effective.select("metric", "kind").iter_rows()),
        ratios={row[0]: (row[2], row[3]) for row in ratios.iter_rows()},
        observed_metrics=frozenset(_observed(con)) if not declared.is_empty() else frozenset(),
        part_of_stored_ratio=dict(uses),
        unassigned=_unassigned(con),
    )


def rows_in_store(
    con: duckdb.DuckDBPyConnection, rows: pl.DataFrame, table: str, key: Mapping[str, str]
) -> pl.Series:
    """True for each row of `rows` whose key (table column -> frame column) `table` already has.

    `table` and the key's columns come from the format definitions, never from a file.
    """
    keys = rows.select(
        pl.int_range(pl.len(), dtype=pl.Int64).alias("_i"),
        *(pl.col(frame_column).alias(column) for column, frame_column in key.items()),
    ).drop_nulls()
    name = f"{_SCRATCH}{next(_NEXT)}"
    on = " and ".join(f"t.{column} = k.{column}" for column in key)
    con.register(name, keys)
    try:
        found = con.sql(f"select k._i from {name} k semi join {table} t on {on}").pl()["_i"]  # noqa: S608
    finally:
        con.unregister(name)
    return pl.repeat(False, rows.height, dtype=pl.Boolean, eager=True).scatter(found, True)


def _ids(frame: pl.DataFrame, column: str) -> frozenset[str]:
    return (
        frozenset(frame[column].drop_nulls().to_list()) if column in frame.columns else frozenset()
    )


def _column(con: duckdb.DuckDBPyConnection, query: str) -> list[str]:
    return [row[0] for row in con.execute(query).fetchall()]


def _unassigned(con: duckdb.DuckDBPyConnection) -> tuple[str, str]:
    rows = con.execute(
        "select name, department from teams where team = $team", {"team": UNASSIGNED}
    ).fetchall()
    return (rows[0][0], rows[0][1]) if rows else ("Unassigned", UNASSIGNED)


def _observed(con: duckdb.DuckDBPyConnection) -> list[str]:
    return _column(con, "select distinct metric from observations")
