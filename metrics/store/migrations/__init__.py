"""Ordered schema migrations, applied at open.

Each migration is a file `NNNN_name.sql` (statements run as they are) or `NNNN_name.py` (a module
with `apply(con)`), numbered without gaps. `schema_version` records what was applied and when, and
each migration runs in its own transaction, so a store is never left half-migrated.
"""

from __future__ import annotations

import importlib
import re
from dataclasses import dataclass
from pathlib import Path

import duckdb

from metrics.store.errors import DataopsError

_HERE = Path(__file__).parent
_NAME = re.compile(r"^(?P<version>\d{4})_(?P<name>\w+)\.(?P<ext>sql|py)$")


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    path: Path

    def apply(self, con: duckdb.DuckDBPyConnection) -> None:
        if self.path.suffix == ".sql":
            con.execute(self.path.read_text(encoding="utf-8"))
        else:
            module = importlib.import_module(f"metrics.store.migrations.{self.path.stem}")
            module.apply(con)


def all_migrations() -> list[Migration]:
    found = []
    for path in _HERE.iterdir():
        match = _NAME.match(path.name)
        if match:
            found.append(Migration(int(match["version"]), match["name"], path))
    found.sort(key=lambda m: m.version)
    expected = list(range(1, len(found) + 1))
    if [m.version for m in found] != expected:
        raise RuntimeError(f"migrations must be numbered 1..N without gaps: {found}")
    return found


def latest_version() -> int:
    return len(all_migrations())


def current_version(con: duckdb.DuckDBPyConnection) -> int:
    # fetchall, never fetchone: DuckDB 2 keeps a half-read result open and refuses the next query.
    exists = con.execute(
        "select count(*) from information_schema.tables where table_name = 'schema_version'"
    ).fetchall()
    if exists[0][0] == 0:
        return 0
    return int(con.execute("select coalesce(max(version), 0) from schema_version").fetchall()[0][0])


def migrate(con: duckdb.DuckDBPyConnection, *, up_to: int | None = None) -> list[int]:
    """Apply every migration newer than the store's version (or up to `up_to`); return them."""
    con.execute(
        "create table if not exists schema_version("
        " version integer primary key, name varchar not null, applied_at timestamp not null)"
    )
    have = current_version(con)
    if have > latest_version():
        raise DataopsError(
            f"this store has schema version {have}, newer than this program knows "
            f"({latest_version()}). Fix: upgrade the program (pip install -e .) before opening it"
        )
    applied = []
    for migration in all_migrations():
        if migration.version <= have or (up_to is not None and migration.version > up_to):
            continue
        con.execute("begin transaction")
        try:
            migration.apply(con)
            con.execute(
                "insert into schema_version values ($version, $name, current_timestamp)",
                {"version": migration.version, "name": migration.name},
            )
        except BaseException:
            con.execute("rollback")
            raise
        con.execute("commit")
        applied.append(migration.version)
    return applied


def require_current(con: duckdb.DuckDBPyConnection, path: Path) -> None:
    have = current_version(con)
    if have != latest_version():
        raise DataopsError(
            f"the store {path} has schema version {have}, this program expects "
            f"{latest_version()}. Fix: <<migrate_store>>"
        )
