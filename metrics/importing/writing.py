"""The write: every validated batch in one transaction, so an import lands whole or not at all."""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import polars as pl

from metrics.importing.kinds import Format
from metrics.store.connection import transaction


@dataclass(frozen=True)
class Batch:
    """Validated rows for one table: `rows` has exactly the table's columns, typed."""

    format: Format
    rows: pl.DataFrame
    replaced: int  # how many of them overwrite a key the store already had


def write_batches(con: duckdb.DuckDBPyConnection, batches: list[Batch], *, replace: bool) -> None:
    """Insert every batch, or (replace) insert-or-overwrite by primary key, in one transaction.

    Without replace a key the store already has is a validation problem, so a plain insert is
    right, and the table's primary key stays the last line of defence. Frames are registered
    outside the transaction: unregistering inside an aborted one would raise its own error and
    hide the one that aborted it.
    """
    verb = "insert or replace" if replace else "insert"
    names = [f"_import_rows_{i}" for i in range(len(batches))]
    for name, batch in zip(names, batches, strict=True):
        con.register(name, batch.rows)
    try:
        with transaction(con):
            for name, batch in zip(names, batches, strict=True):
                columns = ", ".join(batch.rows.columns)
                # Table and column names come from the format definitions, not from a file.
                con.execute(
                    f"{verb} into {batch.format.table} ({columns}) select {columns} from {name}"  # noqa: S608
                )
    finally:
        for name in names:
            con.unregister(name)
