"""The store: one DuckDB file, opened for one unit of work and closed again.

DuckDB lets a single process hold a database file for writing, and even a read-only holder blocks
writers in other processes. So nothing keeps the file open between units of work: callers write

    with open_store(path) as con:          # migrates, then yields a read-write connection
        with transaction(con):
            ...

and the file is free again when the block ends. A unit that finds the file busy retries for a
while, then raises `StoreBusy` naming the process that holds it. Inside one process every unit
holds `_PROCESS_LOCK`, so app sessions (threads) queue instead of racing: DuckDB also refuses a
read-only and a read-write connection to the same file side by side in one process.
"""

from __future__ import annotations

import contextlib
import os
import re
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import duckdb

from metrics.store import migrations, opening
from metrics.store.errors import StoreBusy, StoreMissing, StoreUnreadable
from metrics.store.names import DEFAULT_STORE

BUSY_TIMEOUT_SECONDS = 15.0

_PROCESS_LOCK = threading.RLock()
_LOCK_HOLDER = re.compile(r"Conflicting lock is held in (?P<program>.+?) \(PID (?P<pid>\d+)\)")


def store_path_from_env() -> Path:
    """The store the app and CLI use unless told otherwise: $DATAOPS_STORE or the default."""
    return Path(os.environ.get("DATAOPS_STORE") or DEFAULT_STORE)


@contextlib.contextmanager
def open_store(
    path: str | Path,
    *,
    read_only: bool = False,
    create: bool = True,
    timeout: float = BUSY_TIMEOUT_SECONDS,
) -> Iterator[duckdb.DuckDBPyConnection]:
    """Yield a connection to the store at `path`, migrated to the latest schema, then close it.

    A read-only open never migrates: it refuses a store whose schema is older than this code.
    `create=False` refuses to create a missing file (the app reads; only commands create stores).
    """
    path = Path(path)
    if not path.exists() and (read_only or not create):
        raise StoreMissing(
            f"no store at {path}. Fix: <<build_store>>",
            path=path,
            public="there is no store yet. Fix: ask the person who runs the cockpit to build one",
        )
    with _PROCESS_LOCK, _removed_if_refused(path, read_only):
        con = _open_migrated(path, read_only=read_only, timeout=timeout)
        try:
            yield con
        finally:
            con.close()


@contextlib.contextmanager
def _removed_if_refused(path: Path, read_only: bool) -> Iterator[bool]:
    """Yield whether this unit creates the store; if it does and then fails, remove the file and
    the folders it made, so a refused command on a missing path leaves nothing behind."""
    if read_only or path.exists():
        yield False
        return
    made = [folder for folder in (path.parent, *path.parent.parents) if not folder.exists()]
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise _unwritable_folder(path, error) from None
    try:
        yield True
    except BaseException:
        for file in (path, path.with_name(path.name + ".wal")):
            file.unlink(missing_ok=True)
        for folder in made:
            with contextlib.suppress(OSError):
                folder.rmdir()  # only if empty
        raise


def _open_migrated(path: Path, *, read_only: bool, timeout: float) -> duckdb.DuckDBPyConnection:
    """Connect and migrate (or check the schema); a file DuckDB cannot use is refused plainly."""
    try:
        con = _connect_with_retry(path, read_only=read_only, timeout=timeout)
    except (duckdb.Error, OSError) as error:
        raise opening.unreadable(path, error) or error from None
    try:
        if read_only:
            migrations.require_current(con, path)
        else:
            migrations.migrate(con)
    except (duckdb.Error, OSError) as error:
        con.close()
        raise opening.unreadable(path, error) or error from None
    return con


def _unwritable_folder(path: Path, error: OSError) -> StoreUnreadable:
    return StoreUnreadable(
        f"cannot create the store {path}: {error.strerror or error}. Fix: <<writable_store>>",
        public="cannot create the store. Fix: tell the person who runs the cockpit",
    )


def memory_store() -> duckdb.DuckDBPyConnection:
    """A migrated in-memory store, for tests and scratch work. The caller closes it."""
    con = duckdb.connect(":memory:")
    migrations.migrate(con)
    return con


@contextlib.contextmanager
def transaction(con: duckdb.DuckDBPyConnection) -> Iterator[duckdb.DuckDBPyConnection]:
    """All-or-nothing: commit when the block ends normally, roll back on any exception."""
    con.execute("begin transaction")
    try:
        yield con
    except BaseException:
        con.execute("rollback")
        raise
    con.execute("commit")


def store_version(path: str | Path) -> tuple[int, int, int, int]:
    """A cheap fingerprint that changes whenever any process writes the store.

    Cached reads are keyed by it, so the app notices writes made by the command line too.
    """
    path = Path(path)
    stamps: list[int] = []
    for file in (path, path.with_name(path.name + ".wal")):
        try:
            stat = file.stat()
            stamps += [stat.st_mtime_ns, stat.st_size]
        except FileNotFoundError:
            stamps += [0, 0]
    return (stamps[0], stamps[1], stamps[2], stamps[3])


def _connect_with_retry(
    path: Path, *, read_only: bool, timeout: float
) -> duckdb.DuckDBPyConnection:
    deadline = time.monotonic() + timeout
    delay = 0.05
    while True:
        try:
            return duckdb.connect(str(path), read_only=read_only)
        except duckdb.IOException as error:
            if "lock" not in str(error).lower():
                raise
            if time.monotonic() >= deadline:
                raise _busy(path, str(error), timeout) from None
            time.sleep(delay)
            delay = min(delay * 2, 0.5)


def _busy(path: Path, duckdb_message: str, timeout: float) -> StoreBusy:
    holder = "another process"
    match = _LOCK_HOLDER.search(duckdb_message)
    if match:
        pid = match["pid"]
        holder = f"process {pid} ({_command_line(pid) or match['program']})"
    fix = "Fix: wait for that command to finish (or stop it), then try again"
    return StoreBusy(
        f"the store {path} is in use by {holder}; waited {timeout:.0f} s. {fix}",
        public=f"the store is in use by another process; waited {timeout:.0f} s. {fix}",
    )


def _command_line(pid: str) -> str:
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return ""
    return raw.replace(b"\0", b" ").decode(errors="replace").strip()
