"""The `access_grants` table: grant, revoke, list, and the `Person` an e-mail is.

Every input problem (malformed e-mail, unknown role, unknown team, a team on a role that has
none) is collected and refused at once, and nothing is written.
"""

from __future__ import annotations

import datetime as dt
import re

import duckdb
import polars as pl

from metrics.access.roles import Person, Role
from metrics.store.catalog import UNASSIGNED, load_teams
from metrics.store.connection import transaction
from metrics.store.errors import DataopsError, Problem, ValidationFailed
from metrics.store.frames import frame

WHERE = "access grant"
# Deliberately plain: one @, something before it, a dotted domain after it, no spaces.
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
GRANTS_SCHEMA = {
    "email": pl.String,
    "role": pl.String,
    "team": pl.String,
    "granted_by": pl.String,
    "granted_at": pl.Datetime("us"),
}


def normalise_email(email: str) -> str:
    return email.strip().lower()


def grant_problems(
    con: duckdb.DuckDBPyConnection, email: str, role: str, teams: list[str]
) -> list[Problem]:
    """Everything wrong with a grant, in the order it was given; [] when it can be written."""
    found = []
    if not EMAIL.match(normalise_email(email)):
        fix = "give the address the person signs in with, e.g. ana@example.com"
        found.append(Problem(WHERE, "is not an e-mail address", fix, column="email", value=email))
    roles = [str(r) for r in Role]
    if role not in roles:
        found.append(Problem(WHERE, "is not a role", f"use one of {', '.join(roles)}",
                             column="role", value=role))  # fmt: skip
    elif role == Role.TEAM_LEAD and not teams:
        found.append(Problem(WHERE, "a team lead needs at least one team",
                             "name the teams they lead", column="team", value=""))  # fmt: skip
    elif role != Role.TEAM_LEAD and teams:
        found.append(Problem(WHERE, f"role {role} is company-wide and takes no team",
                             "leave the team out, or grant team_lead", column="team",
                             value=", ".join(teams)))  # fmt: skip
    known = set(load_teams(con)) - {UNASSIGNED}  # what no team owns has no lead
    for team in teams:
        if team not in known:
            listed = ", ".join(sorted(known)) or "none yet: import teams first"
            found.append(Problem(WHERE, "is not a team", f"use one of {listed}",
                                 column="team", value=team))  # fmt: skip
    return found


def grant(
    con: duckdb.DuckDBPyConnection, email: str, role: str, teams: list[str], granted_by: str
) -> int:
    """Add the grant (one row per team for a team lead); return how many rows are new."""
    if problems := grant_problems(con, email, role, teams):
        raise ValidationFailed(problems)
    email, added = normalise_email(email), 0
    with transaction(con):
        for team in teams or [None]:
            held = con.execute(
                "select count(*) from access_grants where email = $email and role = $role"
                " and team is not distinct from $team",
                {"email": email, "role": role, "team": team},
            ).fetchall()[0][0]
            if held:
                continue
            con.execute(
                "insert into access_grants values ($email, $role, $team, $by, $at)",
                {"email": email, "role": role, "team": team, "by": granted_by, "at": _now()},
            )
            added += 1
    return added


def revoke(con: duckdb.DuckDBPyConnection, email: str) -> int:
    """Remove every grant of `email`; return how many. Refuses an e-mail with no grant."""
    email = normalise_email(email)
    held = con.execute(
        "select count(*) from access_grants where email = $email", {"email": email}
    ).fetchall()[0][0]
    if not held:
        raise DataopsError(f"{email} has no access to revoke. Fix: check the address against "
                           "the list of grants")  # fmt: skip
    con.execute("delete from access_grants where email = $email", {"email": email})
    return held


def list_grants(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """Columns: email, role, team, granted_by, granted_at; by e-mail, role, team."""
    grants = con.sql(
        "select email, role, team, granted_by, granted_at from access_grants"
        " order by email, role, team nulls first"
    )
    return frame(grants).cast(GRANTS_SCHEMA)


def person_for(con: duckdb.DuckDBPyConnection, email: str) -> Person | None:
    """The person an e-mail is, from their grants; None when they have none."""
    rows = con.execute(
        "select role, team from access_grants where email = $email",
        {"email": normalise_email(email)},
    ).fetchall()
    if not rows:
        return None
    roles = frozenset(Role(role) for role, _ in rows)
    teams = frozenset(team for role, team in rows if team is not None)
    return Person(normalise_email(email), roles, teams)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)
