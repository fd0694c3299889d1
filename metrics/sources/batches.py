"""One batch from a source into the store: the import's rules, then all of it or nothing.

Observations are compared with what the store holds: a key it lacks is inserted, a key whose
value differs is replaced (a late correction), an equal one is left alone, so an incremental sync
writes (and marks for refitting) only what changed. A day missing from the source is kept: the
store may hold it from an import or another source. Teams and initiatives are small and written
whole, insert or replace.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import duckdb
import polars as pl

from metrics.importing import ImportKind
from metrics.importing.validation import check_frames
from metrics.importing.writing import Batch, write_batches
from metrics.sources.definitions import Source, Target
from metrics.store.errors import ValidationFailed

_SCRATCH = "_sync_rows"


@dataclass(frozen=True)
class Applied:
    rows_read: int
    inserted: int
    replaced: int
    first_day: dt.date | None
    last_day: dt.date | None
    changed_series: tuple[tuple[str, str], ...]  # (metric, team) whose observations changed


def apply_batch(con: duckdb.DuckDBPyConnection, source: Source, frame: pl.DataFrame) -> Applied:
    """Validate `frame` with the import rules (raising ValidationFailed, nothing written) and
    write what is new or changed in one transaction."""
    kind = ImportKind(source.target.value)
    checked = check_frames(con, [(kind, source.label, frame)], replace=True)
    if checked.problems:
        raise ValidationFailed(checked.problems, limit=50)
    (batch,) = checked.batches
    if source.target != Target.OBSERVATIONS:
        write_batches(con, [batch], replace=batch.replaced > 0)
        return Applied(frame.height, batch.rows.height - batch.replaced, batch.replaced, *_none())
    changed = _changed_observations(con, batch.rows)
    replaced = changed.filter(pl.col("_stored")).height
    rows = changed.drop("_stored")
    # A plain insert when every key is new: DuckDB's insert-or-replace costs more per row.
    write_batches(con, [Batch(batch.format, rows, replaced)], replace=replaced > 0)
    days = batch.rows["day"]
    series = rows.select("metric", "team").unique().sort("metric", "team").rows()
    return Applied(
        frame.height, rows.height - replaced, replaced, days.min(), days.max(), tuple(series)
    )


def _none() -> tuple[None, None, tuple]:
    return None, None, ()


def _changed_observations(con: duckdb.DuckDBPyConnection, rows: pl.DataFrame) -> pl.DataFrame:
    """Columns: day, metric, team, value, _stored (the store had the key with another value)."""
    con.register(_SCRATCH, rows)
    try:
        return con.sql(
            f"""
            select r.day, r.metric, r.team, r.value, o.value is not null as _stored
            from {_SCRATCH} r
            left join observations o using (day, metric, team)
            where o.value is null or o.value <> r.value
            """  # noqa: S608 - a fixed scratch name
        ).pl()
    finally:
        con.unregister(_SCRATCH)
