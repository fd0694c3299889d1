"""Writing the demo company into a store: one transaction, bulk inserts from the frames."""

from __future__ import annotations

import duckdb

from metrics.demo.company import DemoData
from metrics.store.connection import transaction
from metrics.store.errors import DataopsError

# Tables the demo fills, each from the DemoData frame of the same purpose, in insert order.
_TABLES = (
    ("teams", "teams"),
    ("metrics", "metrics"),
    ("observations", "observations"),
    ("initiatives", "initiatives"),
    ("demo_truth_natural", "truth_natural"),
    ("demo_truth_effects", "truth_effects"),
    ("demo_truth_cases", "truth_cases"),
)


class StoreNotEmpty(DataopsError):
    """The demo is a whole company; it never mixes into a store that already has data."""


def write_demo(con: duckdb.DuckDBPyConnection, data: DemoData) -> None:
    """Insert every frame of `data` into the migrated store behind `con`, all or nothing.

    The reserved `unassigned` team is already there (migration 1), so it is not inserted again.
    """
    _require_empty(con)
    with transaction(con):
        for table, attribute in _TABLES:
            frame = getattr(data, attribute)
            if table == "teams":
                frame = frame.filter(~frame["team"].is_in(_existing_teams(con)))
            columns = ", ".join(frame.columns)
            # Names come from the fixed list above and the frames' schema; DuckDB reads the
            # local `frame` by name (no row-by-row inserts, no registration to undo on failure).
            con.execute(f"insert into {table} ({columns}) select {columns} from frame")  # noqa: S608


def _existing_teams(con: duckdb.DuckDBPyConnection) -> list[str]:
    return [row[0] for row in con.execute("select team from teams").fetchall()]


def _require_empty(con: duckdb.DuckDBPyConnection) -> None:
    row = con.execute(
        "select (select count(*) from observations) + (select count(*) from metrics)"
        " + (select count(*) from demo_truth_natural)"
    ).fetchone()
    if row and row[0]:
        raise StoreNotEmpty(
            "this store already holds metrics or observations; the demo company is only written "
            "into a new store. Fix: <<other_store>>"
        )
