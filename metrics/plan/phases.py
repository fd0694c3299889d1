"""Phases (consecutive months with one main task) and assignments (a team's share of a phase's gap).

Validation collects every problem of a plan before anything is written. Saving phases or
assignments is one transaction that also appends the change to goal_changes.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from pathlib import Path

import duckdb
import polars as pl

from metrics.plan import files as plan_files
from metrics.plan.decomposition import goal_months
from metrics.plan.goals import load_goal, record_change
from metrics.plan.phase_math import team_phase_targets  # noqa: F401 - part of this module's surface
from metrics.store.catalog import UNASSIGNED, load_metrics, load_teams
from metrics.store.connection import transaction
from metrics.store.errors import Problem, ValidationFailed

SHARE_TOLERANCE = 1e-4  # 0.01 percentage points: three shares of 33.33% are a whole


def validate_phases(phases: pl.DataFrame, months: pl.DataFrame, file: str) -> list[Problem]:
    """Plan-level problems: duplicate ids, missing main tasks, holes, overlaps, months outside.

    `phases`: row, phase, name, start_month, end_month, main_task (months may be null when their
    row already failed); `months`: the goal's months.
    """
    found: list[Problem] = []
    counts = Counter(phases["phase"])
    for row in phases.iter_rows(named=True):
        if row["phase"] and counts[row["phase"]] > 1:
            fix = "give each phase its own id, one row per phase"
            found.append(_bad(file, row, "phase", "appears more than once", fix))
        if not row["main_task"]:
            fix = "say the phase's one main task, e.g. 'win Double 11 new buyers'"
            found.append(_bad(file, row, "main_task", "is empty", fix))
    if phases["start_month"].null_count() or phases["end_month"].null_count():
        return found  # coverage cannot be judged until every month parses
    period = list(months["month"])
    owners: dict[dt.date, list[str]] = {month: [] for month in period}
    for row in phases.iter_rows(named=True):
        inside = [m for m in _months(row["start_month"], row["end_month"]) if m in owners]
        if len(inside) < len(_months(row["start_month"], row["end_month"])):
            fix = f"keep phases within {period[0]:%Y-%m} to {period[-1]:%Y-%m}"
            found.append(_bad(file, row, "start", "reaches outside the goal period", fix))
        for month in inside:
            owners[month].append(row["phase"])
    holes = [m for m, owner in owners.items() if not owner]
    if holes:
        fix = "extend a phase or add one so every month of the goal has exactly one phase"
        found.append(Problem(file, f"no phase covers {_listed(holes)}", fix))
    for month, owner in owners.items():
        if len(owner) > 1:
            fix = "end one phase before the next starts"
            found.append(Problem(file, f"{month:%Y-%m} is in phases {', '.join(owner)}", fix))
    return found


def validate_assignments(
    assignments: pl.DataFrame, phase_ids: list[str], teams: set[str], metrics: set[str], file: str
) -> list[Problem]:
    """Problems of assignments (row, phase, team, share, indicator) against the known phases,
    teams and metrics: unknown names, shares outside 0..100%, repeated (phase, team) rows, and
    phases whose shares do not add up to 100%."""
    found: list[Problem] = []
    known = {"phase": set(phase_ids), "team": teams - {UNASSIGNED}, "indicator": metrics}
    seen: dict[tuple[str, str], int] = {}
    for row in assignments.iter_rows(named=True):
        for column, names in known.items():
            if row[column] and row[column] not in names:
                fix = f"use one of {', '.join(sorted(names)) or '(none yet)'}"
                found.append(_bad(file, row, column, f"is not a known {column}", fix))
        if row["share"] is not None and not 0 <= row["share"] <= 1:
            fix = "give a share between 0 and 1 (or 0% and 100%)"
            found.append(_bad(file, row, "share", "is outside 0..100%", fix))
        key = (row["phase"], row["team"])
        if key in seen:
            fix = "keep one row per phase and team"
            message = f"repeats phase {key[0]} and team {key[1]} of row {seen[key]}"
            found.append(Problem(file, message, fix, row=row["row"]))
        seen.setdefault(key, row["row"])
    for phase, group in assignments.group_by("phase", maintain_order=True):
        total = group["share"].sum()
        if group["share"].null_count() == 0 and abs(total - 1) > SHARE_TOLERANCE + 1e-12:
            fix = "make the shares of the phase add up to 100%"
            message = f"phase {phase[0]}'s shares add up to {total:.2%}"
            found.append(Problem(file, message, fix, column="share"))
    return found


def phases_from_csv(source: bytes | str | Path, file: str, months: pl.DataFrame) -> pl.DataFrame:
    """Read and validate a phases file; refuse it with every problem. Columns: as load_phases."""
    phases, problems = plan_files.parse_phases(source, file)
    if problems := problems + validate_phases(phases, months, file):
        raise ValidationFailed(problems)
    return phases.drop("row").sort("start_month")


def assignments_from_csv(
    con: duckdb.DuckDBPyConnection, goal_id: str, source: bytes | str | Path, file: str
) -> pl.DataFrame:
    """Read and validate an assignments file against the goal's phases and the catalogue."""
    rows, problems = plan_files.parse_assignments(source, file)
    phase_ids = load_phases(con, goal_id)["phase"].to_list()
    teams, metrics = set(load_teams(con)), set(load_metrics(con))
    if problems := problems + validate_assignments(rows, phase_ids, teams, metrics, file):
        raise ValidationFailed(problems)
    return rows.drop("row")


def load_phases(con: duckdb.DuckDBPyConnection, goal_id: str) -> pl.DataFrame:
    """Columns: phase, name, start_month, end_month, main_task, in time order."""
    return con.sql(
        "select phase, name, start_month, end_month, main_task from phases"
        " where goal = $goal order by start_month",
        params={"goal": goal_id},
    ).pl()


def load_assignments(con: duckdb.DuckDBPyConnection, goal_id: str) -> pl.DataFrame:
    """Columns: phase, team, share (a fraction of the phase's gap), indicator."""
    return con.sql(
        "select a.phase, a.team, a.share, a.indicator from assignments a"
        " join phases p using (goal, phase) where a.goal = $goal"
        " order by p.start_month, a.team",
        params={"goal": goal_id},
    ).pl()


def save_phases(
    con: duckdb.DuckDBPyConnection, goal_id: str, phases: pl.DataFrame, by: str
) -> pl.DataFrame:
    """Replace the goal's phases; return the assignments dropped with phases no longer there.

    Validates first (every problem at once); the dropped assignments stay in goal_changes.
    """
    goal = load_goal(con, goal_id)
    numbered = phases.with_row_index("row", offset=2).cast({"row": pl.Int64})
    if problems := validate_phases(numbered, goal_months(goal.start_day, goal.end_day), "phases"):
        raise ValidationFailed(problems)
    with transaction(con):
        before, assigned = load_phases(con, goal_id), load_assignments(con, goal_id)
        dropped = assigned.filter(~pl.col("phase").is_in(phases["phase"].implode()))
        con.execute("delete from phases where goal = $goal", {"goal": goal_id})
        rows = phases.select("phase", "name", "start_month", "end_month", "main_task")
        con.execute("insert into phases select $goal, * from rows", {"goal": goal_id})
        con.execute(
            "delete from assignments where goal = $goal and not list_contains($kept, phase)",
            {"goal": goal_id, "kept": phases["phase"].to_list()},
        )
        record_change(
            con,
            goal_id,
            by,
            "phases_set",
            {"phases": before.to_dicts(), "assignments": assigned.to_dicts()},
            {"phases": rows.to_dicts(), "dropped_assignments": dropped.to_dicts()},
        )
    return dropped


def save_assignments(
    con: duckdb.DuckDBPyConnection, goal_id: str, assignments: pl.DataFrame, by: str
) -> None:
    """Replace the assignments of the phases that `assignments` names; other phases keep theirs."""
    phase_ids = load_phases(con, goal_id)["phase"].to_list()
    teams, metrics = set(load_teams(con)), set(load_metrics(con))
    numbered = assignments.with_row_index("row", offset=2).cast({"row": pl.Int64})
    if problems := validate_assignments(numbered, phase_ids, teams, metrics, "assignments"):
        raise ValidationFailed(problems)
    with transaction(con):
        before = load_assignments(con, goal_id)
        named = assignments["phase"].unique().to_list()
        con.execute(
            "delete from assignments where goal = $goal and list_contains($phases, phase)",
            {"goal": goal_id, "phases": named},
        )
        rows = assignments.select("phase", "team", "share", "indicator")  # noqa: F841
        con.execute("insert into assignments select $goal, * from rows", {"goal": goal_id})
        after = load_assignments(con, goal_id)
        record_change(con, goal_id, by, "assignments_set", before.to_dicts(), after.to_dicts())


def unassigned_phases(con: duckdb.DuckDBPyConnection, goal_id: str) -> list[str]:
    """Phases nobody has a share of yet: their gap would be owned by no team."""
    assigned = set(load_assignments(con, goal_id)["phase"])
    return [p for p in load_phases(con, goal_id)["phase"] if p not in assigned]


def _months(start: dt.date, end: dt.date) -> list[dt.date]:
    return pl.date_range(start, end, "1mo", eager=True).to_list()


def _listed(months: list[dt.date]) -> str:
    return ", ".join(f"{m:%Y-%m}" for m in months)


def _bad(file: str, row: dict, column: str, message: str, fix: str) -> Problem:
    value = row[f"{column}_month"] if column in ("start", "end") else row.get(column)
    shown = value.strftime("%Y-%m") if isinstance(value, dt.date) else value
    return Problem(file, message, fix, row=row["row"], column=column, value=str(shown))
