"""A real PostgreSQL server for the tests, started in a temporary folder and stopped after.

Debian's `postgresql` package puts initdb and pg_ctl under /usr/lib/postgresql/N/bin. PostgreSQL
refuses to run as root, so as root the cluster belongs to the `postgres` user the package creates
(runuser). The server listens on 127.0.0.1 only, on a free port, with password authentication,
so the tests prove that a password set in the environment reaches the server and nothing else.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import secrets
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Postgres:
    host: str
    port: int
    user: str
    password: str
    database: str = "postgres"

    def uri(self, password: str | None = None) -> str:
        """The URI with `password` (default: the real one) in the user info."""
        secret = self.password if password is None else password
        return f"postgresql://{self.user}:{secret}@{self.host}:{self.port}/{self.database}"

    def execute(self, *statements: str) -> None:
        import adbc_driver_postgresql.dbapi as pg

        with pg.connect(self.uri()) as con, con.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)
            con.commit()


def bin_dir() -> Path | None:
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    return Path(initdb).resolve().parent if initdb else None


def missing_reason() -> str | None:
    """Why no server can be started here, or None."""
    if bin_dir() is None:
        return "PostgreSQL is not installed (apt-get install postgresql)"
    if os.geteuid() == 0:
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            return "running as root without a postgres user to own the cluster"
    return None


@contextlib.contextmanager
def running_postgres() -> Iterator[Postgres]:
    binaries = bin_dir()
    assert binaries is not None
    folder = Path(tempfile.mkdtemp(prefix="dataops-pg-"))
    server = Postgres("127.0.0.1", _free_port(), "dataops", secrets.token_hex(12))
    (folder / "pw").write_text(server.password, encoding="utf-8")
    as_owner: list[str] = []
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres")
        shutil.chown(folder / "pw", "postgres")
        as_owner = ["runuser", "-u", "postgres", "--"]
    data = folder / "data"
    _run([
        *as_owner, str(binaries / "initdb"), "-D", str(data), "-U", server.user,
        f"--pwfile={folder / 'pw'}", "-A", "scram-sha-256", "-E", "UTF8", "--no-sync",
    ])  # fmt: skip
    (folder / "pw").unlink()
    options = (
        f"-p {server.port} -k {folder} -c listen_addresses={server.host} -c fsync=off "
        "-c synchronous_commit=off -c full_page_writes=off"
    )
    ctl = [*as_owner, str(binaries / "pg_ctl"), "-D", str(data)]
    _run([*ctl, "-o", options, "-l", str(folder / "server.log"), "-w", "start"])
    try:
        yield server
    finally:
        _run([*ctl, "-m", "immediate", "-w", "stop"])
        shutil.rmtree(folder, ignore_errors=True)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _run(command: list[str]) -> None:
    subprocess.run(command, check=True, capture_output=True, timeout=120)
