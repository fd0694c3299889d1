"""Saving a goal's definition (and its tactics), and splitting it into months as it is saved.

Each save is one transaction that reads the goal as it is now, writes, and appends who/when/what
(before and after, as JSON) to goal_changes. Two people saving at once are serialised by the store
(one writer at a time), so the second save's "before" is the first save's "after": an overwritten
change stays visible in the history instead of vanishing.

A goal whose method needs a natural baseline that is not frozen yet is saved `pending` (no monthly
targets) until `months.redecompose` runs after the baseline is frozen; changes to the months
alone (redecompose, a month set by hand) live in `metrics.plan.months`.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import asdict, replace

import duckdb
import polars as pl

from metrics.plan import decomposition as dec
from metrics.plan.goals import (
    Goal,
    find_goal,
    load_tactics,
    monthly_targets,
    now,
    record_change,
    targets_json,
)
from metrics.plan.inputs import compute_targets
from metrics.plan.months import GoalSaved, stored_overrides, write_targets
from metrics.store.catalog import MetricKind, load_metrics
from metrics.store.connection import transaction
from metrics.store.errors import DataopsError, Problem, ValidationFailed

GOAL_ID = re.compile(r"[A-Za-z0-9_.\-]{1,64}")  # ids go into links, file names and commands


def validate_goal(con: duckdb.DuckDBPyConnection, goal: Goal) -> list[Problem]:
    """Every problem with a goal's definition, each with its fix."""
    found, catalogue = [], load_metrics(con)
    if not GOAL_ID.fullmatch(goal.id):
        fix = "use a short id of letters, digits and _ - . only (at most 64), e.g. gmv_2026"
        found.append(Problem("goal", "is not a valid id", fix, None, "goal", goal.id))
    if goal.metric not in catalogue:
        fix = f"use one of {', '.join(catalogue) or '(none: import metrics first)'}"
        found.append(Problem("goal", "is not a known metric", fix, None, "metric", goal.metric))
    if goal.end_day < goal.start_day:
        fix = "<<goal_period>>"
        found.append(Problem("goal", "ends before it starts", fix, None, "end", str(goal.end_day)))
    elif problem := dec.period_problem(goal.start_day, goal.end_day):
        message, fix = problem.split(". Fix: ", 1)
        found.append(Problem("goal", message, fix, None, "end", str(goal.end_day)))
    if not math.isfinite(goal.target):
        fix = "give a number"
        found.append(Problem("goal", "is not a number", fix, None, "target", str(goal.target)))
    if goal.metric in catalogue:
        found += _against_the_metric(con, goal, catalogue[goal.metric])
    return found


def _against_the_metric(con: duckdb.DuckDBPyConnection, goal: Goal, metric) -> list[Problem]:
    """A flow metric where more is better cannot aim at zero or less, and a period that starts
    before the metric's first day of data has no history to measure natural growth from."""
    found = []
    if metric.kind is MetricKind.FLOW and metric.higher_is_better and goal.target <= 0:
        fix = f"give the total {metric.name} the period should reach, a positive number"
        found.append(Problem("goal", "is not positive", fix, None, "target", str(goal.target)))
    first = first_data_day(con, metric.stored_metrics)
    if first is not None and goal.start_day < first:
        fix = f"start on or after {first}, the first day with data for {metric.metric}"
        message = "starts before the data"
        found.append(Problem("goal", message, fix, None, "start", str(goal.start_day)))
    return found


def first_data_day(con: duckdb.DuckDBPyConnection, metrics: tuple[str, ...]) -> dt.date | None:
    rows = con.sql(
        "select min(day) from observations where list_contains($metrics, metric)",
        params={"metrics": list(metrics)},
    ).fetchall()
    return rows[0][0]


def set_goal(
    con: duckdb.DuckDBPyConnection,
    goal: Goal,
    by: str,
    *,
    tactics: pl.DataFrame | None = None,
    clear_overrides: bool = False,
    decompose: bool = True,
    baseline: pl.DataFrame | None = None,
) -> GoalSaved:
    """Create or change a goal and (unless `decompose=False`) its monthly targets.

    `tactics` (month, tactic, weight) replaces the stored ones; method tactic reuses the stored
    ones when none are given. Overrides are kept and reported; one outside the new period is
    refused unless `clear_overrides`. `baseline` defaults to the goal's frozen baseline.
    """
    if problems := validate_goal(con, goal):
        raise ValidationFailed(problems)
    if tactics is not None and goal.method is not dec.Method.TACTIC:
        raise DataopsError(
            f"tactic weights are only used by method tactic, not {goal.method}. Fix: leave the "
            "tactic weights out, or <<use_tactics_method>>"
        )
    with transaction(con):
        _require_tactics(con, goal, tactics)
        before = find_goal(con, goal.id)
        old_targets, overrides = monthly_targets(con, goal.id), stored_overrides(con, goal.id)
        messages = _settle_overrides(con, goal, overrides, clear_overrides)
        overrides = stored_overrides(con, goal.id)
        saved = _write_goal(con, goal, before, by)
        if tactics is not None:
            _write_tactics(con, goal.id, tactics)
        targets, pending = pl.DataFrame(), True
        if decompose or not goal.method.needs_baseline:
            targets, notes = compute_targets(con, saved, overrides, baseline)
            messages, pending = messages + notes, False
            write_targets(con, goal.id, targets, by)
        else:
            con.execute("delete from goal_targets where goal = $goal", {"goal": goal.id})
        record_change(
            con,
            goal.id,
            by,
            "created" if before is None else "changed",
            {"goal": before and before.definition(), "targets": targets_json(old_targets)},
            {"goal": saved.definition(), "targets": targets_json(targets), "pending": pending},
        )
    return GoalSaved(saved, targets, overrides, pending, tuple(messages))


def _require_tactics(
    con: duckdb.DuckDBPyConnection, goal: Goal, tactics: pl.DataFrame | None
) -> None:
    """Refuse method tactic without tactics before anything slow (a baseline fit) happens."""
    needs = goal.method is dec.Method.TACTIC and tactics is None
    if needs and load_tactics(con, goal.id).is_empty():
        raise DataopsError(
            "method tactic needs tactic weights and the goal has none stored. Fix: <<give_tactics>>"
        )


def _settle_overrides(
    con: duckdb.DuckDBPyConnection, goal: Goal, overrides: pl.DataFrame, clear: bool
) -> list[str]:
    if overrides.is_empty():
        return []
    if clear:
        con.execute("delete from goal_overrides where goal = $goal", {"goal": goal.id})
        return [f"cleared {overrides.height} month(s) set by hand (they stay in the history)"]
    months = set(dec.goal_months(goal.start_day, goal.end_day)["month"])
    outside = [m for m in overrides["month"] if m not in months]
    if outside:
        raise DataopsError(
            f"months set by hand ({', '.join(f'{m:%Y-%m}' for m in outside)}) fall outside the "
            "new period. Fix: <<clear_overrides>>, or keep those months in the period"
        )
    return []


def _write_goal(con: duckdb.DuckDBPyConnection, goal: Goal, before: Goal | None, by: str) -> Goal:
    at = now()
    saved = replace(
        goal,
        name=goal.name or goal.id,
        created_at=before.created_at if before else at,
        created_by=before.created_by if before else by,
        updated_at=at,
        updated_by=by,
    )
    con.execute("delete from goals where goal = $goal", {"goal": goal.id})
    con.execute(
        "insert into goals values ($goal, $name, $metric, $start_day, $end_day, $target,"
        " $method, $created_at, $created_by, $updated_at, $updated_by)",
        {k: v for k, v in asdict(saved).items() if k != "id"}
        | {"goal": saved.id, "method": saved.method.value},
    )
    return saved


def _write_tactics(con: duckdb.DuckDBPyConnection, goal_id: str, tactics: pl.DataFrame) -> None:
    con.execute("delete from tactics where goal = $goal", {"goal": goal_id})
    rows = tactics.select("month", "tactic", "weight")  # noqa: F841 - read by DuckDB below
    con.execute(
        "insert into tactics select $goal, month, tactic, weight from rows", {"goal": goal_id}
    )
