"""Why a store file would not open, in words a user can act on.

DuckDB reports a text file, a truncated file, a garbled block, a folder and a file this user may
not write with messages meant for developers (and some as its bare `duckdb.Error`), which reached
users as "internal error" or a traceback. Each is turned into `StoreUnreadable` with the fix;
anything not recognised is left alone (a real bug should still look like one).
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from metrics.store.errors import StoreReadOnly, StoreUnreadable

RESTORE = "restore it from a backup (or build a new store: the demo company, or an import)"

# (what DuckDB's message contains, what it means, the fix); first match wins.
_CAUSES = (
    (
        "not a valid DuckDB database file",
        "is not a DuckDB store (it holds something else)",
        "point the cockpit at the store file (the store setting, DATAOPS_STORE); if this file "
        "is yours, move it away and build or import a new store",
    ),
    (
        "Is a directory",
        "is a folder, not a DuckDB store file",
        "point the cockpit at the .duckdb file inside it (the store setting, DATAOPS_STORE)",
    ),
    (
        "Permission denied",
        "is read-only for this user",
        "ask its owner for write access, or copy it somewhere writable; reading still works",
    ),
    (
        "Operation not permitted",
        "is read-only (the file cannot be changed)",
        "ask its owner for write access, or copy it somewhere writable; reading still works",
    ),
    (
        "Read-only file system",
        "is read-only (it is on a read-only disk)",
        "copy it somewhere writable; reading still works",
    ),
)
_DAMAGE = (
    "Could not read enough bytes",
    "Corrupt database file",
    "checksum",
    "INTERNAL Error",
    "Catalog Error: Failure while replaying WAL",
    "Serialization Error",
)


def unreadable(path: Path, error: Exception) -> StoreUnreadable | None:
    """The plain refusal for `error` raised while opening the store at `path`, or None when it
    is not about the file itself (a lock, a bug)."""
    text = str(error)
    for marker, meaning, fix in _CAUSES:
        if marker in text:
            kind = StoreReadOnly if "read-only" in meaning else StoreUnreadable
            return _refusal(path, meaning, fix, kind)
    if isinstance(error, duckdb.Error) and any(marker in text for marker in _DAMAGE):
        return _refusal(path, "is damaged (DuckDB cannot read part of it)", RESTORE)
    return None


def _refusal(
    path: Path, meaning: str, fix: str, kind: type[StoreUnreadable] = StoreUnreadable
) -> StoreUnreadable:
    return kind(
        f"the store {path} {meaning}. Fix: {fix}",
        public=f"the store {meaning}. Fix: tell the person who runs the cockpit (owners see where "
        "the file is and what to do)",
    )
