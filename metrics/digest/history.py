"""What digests were sent (so the next says what changed), and the access grants that say who
receives them when no address is given."""

from __future__ import annotations

import datetime as dt
import json

import duckdb
import polars as pl

from metrics.plan.goals import now

GRANTS_TABLE = "access_grants"


def previous_state(
    con: duckdb.DuckDBPyConnection, goal: str, team: str | None, as_of: dt.date
) -> dict | None:
    """The state shown by the latest digest of this scope measured on or before `as_of`."""
    rows = con.sql(
        "select state from digests where goal = $goal and team is not distinct from $team"
        " and as_of <= $as_of order by as_of desc, sent_at desc, digest desc limit 1",
        params={"goal": goal, "team": team, "as_of": as_of},
    ).fetchall()
    return json.loads(rows[0][0]) if rows else None


def record_digest(
    con: duckdb.DuckDBPyConnection,
    goal: str,
    team: str | None,
    as_of: dt.date,
    recipients: list[str],
    subject: str,
    state: dict,
) -> None:
    con.execute(
        "insert into digests (goal, team, as_of, sent_at, recipients, subject, state)"
        " values ($goal, $team, $as_of, $sent_at, $recipients, $subject, $state)",
        {
            "goal": goal, "team": team, "as_of": as_of, "sent_at": now(),
            "recipients": ",".join(recipients), "subject": subject, "state": json.dumps(state),
        },
    )  # fmt: skip


def sent_digests(con: duckdb.DuckDBPyConnection, goal: str) -> pl.DataFrame:
    """Newest first. Columns: digest, team, as_of, sent_at, recipients, subject."""
    return con.sql(
        "select digest, team, as_of, sent_at, recipients, subject from digests"
        " where goal = $goal order by sent_at desc, digest desc",
        params={"goal": goal},
    ).pl()


def access_grants(con: duckdb.DuckDBPyConnection) -> pl.DataFrame | None:
    """email, role, team of every grant, or None while the store has no access table (people
    and roles are not set up: the sender must name the recipients)."""
    exists = con.sql(
        "select count(*) from information_schema.tables where table_name = $table",
        params={"table": GRANTS_TABLE},
    ).fetchall()[0][0]
    if not exists:
        return None
    return con.sql("select email, role, team from access_grants order by email").pl()
