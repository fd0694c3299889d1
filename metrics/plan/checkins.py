"""Check-ins: a team's regular report of status, problems and next actions against a goal.

Each check-in gets a UUID, so two people saving at the same moment never collide; the store
serialises the writes, so neither is lost.
"""

from __future__ import annotations

import uuid

import duckdb
import polars as pl

from metrics.plan.goals import Status, list_goals, now
from metrics.store.catalog import UNASSIGNED, load_teams
from metrics.store.errors import Problem, ValidationFailed
from metrics.store.frames import frame

MAX_TEXT = 4000  # characters per text field: a meeting note, not a document


def validate_checkin(
    con: duckdb.DuckDBPyConnection,
    team: str,
    goal_id: str | None,
    author: str,
    status: str,
    notes: str,
    problems: str,
    next_actions: str,
) -> list[Problem]:
    """Every problem with a check-in, each with its fix."""
    found = []
    teams = sorted(set(load_teams(con)) - {UNASSIGNED})
    if team not in teams:
        fix = f"use one of {', '.join(teams) or '(none: import teams first)'}"
        found.append(Problem("check-in", "is not a team", fix, None, "team", team))
    goals = list_goals(con)["goal"].to_list()
    if goal_id is not None and goal_id not in goals:
        fix = f"use one of {', '.join(goals)}" if goals else "leave the goal out"
        found.append(Problem("check-in", "is not a goal", fix, None, "goal", goal_id))
    if not author.strip():
        fix = "<<name_author>>"
        found.append(Problem("check-in", "has no author", fix, None, "author", author))
    if status not in set(Status):
        fix = f"use one of {', '.join(Status)}"
        found.append(Problem("check-in", "is not a status", fix, None, "status", status))
    elif status != Status.ON_TRACK and not problems.strip():
        fix = "<<name_problems>>, so the review can act on it"
        found.append(Problem("check-in", f"is {status} without problems", fix, None, "problems"))
    texts = {"notes": notes, "problems": problems, "next_actions": next_actions}
    for column, text in texts.items():
        if len(text) > MAX_TEXT:
            fix = f"keep it under {MAX_TEXT} characters; link a document for more"
            found.append(Problem("check-in", f"is {len(text)} characters long", fix, None, column))
    return found


def add_checkin(
    con: duckdb.DuckDBPyConnection,
    team: str,
    goal_id: str | None,
    author: str,
    status: str,
    notes: str = "",
    problems: str = "",
    next_actions: str = "",
) -> str:
    """Save a check-in after validating it (every problem at once); return its id."""
    found = validate_checkin(con, team, goal_id, author, status, notes, problems, next_actions)
    if found:
        raise ValidationFailed(found)
    checkin = str(uuid.uuid4())
    con.execute(
        "insert into checkins values ($checkin, $team, $goal, $at, $author, $status, $notes,"
        " $problems, $next_actions)",
        {
            "checkin": checkin,
            "team": team,
            "goal": goal_id,
            "at": now(),
            "author": author.strip(),
            "status": str(status),
            "notes": notes.strip(),
            "problems": problems.strip(),
            "next_actions": next_actions.strip(),
        },
    )
    return checkin


def load_checkins(
    con: duckdb.DuckDBPyConnection, *, goal_id: str | None = None, team: str | None = None
) -> pl.DataFrame:
    """Newest first. Columns: checkin, team, department, goal, created_at, author, status, notes,
    problems, next_actions."""
    return frame(
        con.sql(
            "select c.checkin, c.team, t.department, c.goal, c.created_at, c.author, c.status,"
            " c.notes, c.problems, c.next_actions"
            " from checkins c left join teams t using (team)"
            " where ($goal is null or c.goal = $goal) and ($team is null or c.team = $team)"
            " order by c.created_at desc, c.checkin",
            params={"goal": goal_id, "team": team},
        )
    )
