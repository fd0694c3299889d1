"""Changing a goal: its definition, its monthly targets and hand overrides.

Each save is one transaction that reads the goal as it is now, writes, and appends who/when/what
(before and after, as JSON) to goal_changes. Two people saving at once are serialised by the store
(one writer at a time), so the second save's "before" is the first save's "after": an overwritten
change stays visible in the history instead of vanishing.

Overrides live in goal_overrides and survive any re-decomposition; the method's months are
re-spread around them. A goal whose method needs a natural baseline that is not frozen yet is saved
`pending` (no monthly targets) until `redecompose` runs after the baseline is frozen.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import asdict, dataclass, field, replace

import duckdb
import polars as pl

from metrics.plan import decomposition as dec
from metrics.plan.goals import (
    Goal,
    find_goal,
    load_goal,
    load_tactics,
    monthly_targets,
    now,
    record_change,
    targets_json,
)
from metrics.plan.inputs import compute_targets
from metrics.store.catalog import MetricKind, load_metrics
from metrics.store.connection import transaction
from metrics.store.errors import DataopsError, Problem, ValidationFailed

GOAL_ID = re.compile(r"[A-Za-z0-9_.\-]{1,64}")  # ids go into links, file names and commands


@dataclass(frozen=True)
class GoalSaved:
    goal: Goal
    targets: pl.DataFrame  # monthly_targets() columns; empty while pending
    overrides: pl.DataFrame  # month, target, note: the hand-set months kept
    pending: bool = False  # saved without monthly targets until the baseline is frozen
    messages: tuple[str, ...] = field(default=())


def validate_goal(con: duckdb.DuckDBPyConnection, goal: Goal) -> list[Problem]:
    """Every problem with a goal's definition, each with its fix."""
    found, catalogue = [], load_metrics(con)
    if not GOAL_ID.fullmatch(goal.goal):
        fix = "use a short id of letters, digits and _ - . only (at most 64), e.g. gmv_2026"
        found.append(Problem("goal", "is not a valid id", fix, None, "goal", goal.goal))
    if goal.metric not in catalogue:
        fix = f"use one of {', '.join(catalogue) or '(none: import metrics first)'}"
        found.append(Problem("goal", "is not a known metric", fix, None, "metric", goal.metric))
    if goal.end_day < goal.start_day:
        fix = "make --end on or after --start"
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
            f"--tactics is only used by --method tactic, not {goal.method}. Fix: drop --tactics "
            "or pass --method tactic"
        )
    with transaction(con):
        _require_tactics(con, goal, tactics)
        before = find_goal(con, goal.goal)
        old_targets, overrides = monthly_targets(con, goal.goal), _overrides(con, goal.goal)
        messages = _settle_overrides(con, goal, overrides, clear_overrides)
        overrides = _overrides(con, goal.goal)
        saved = _write_goal(con, goal, before, by)
        if tactics is not None:
            _write_tactics(con, goal.goal, tactics)
        targets, pending = pl.DataFrame(), True
        if decompose or not goal.method.needs_baseline:
            targets, notes = compute_targets(con, saved, overrides, baseline)
            messages, pending = messages + notes, False
            _write_targets(con, goal.goal, targets, by)
        else:
            con.execute("delete from goal_targets where goal = $goal", {"goal": goal.goal})
        record_change(
            con,
            goal.goal,
            by,
            "created" if before is None else "changed",
            {"goal": before and before.definition(), "targets": targets_json(old_targets)},
            {"goal": saved.definition(), "targets": targets_json(targets), "pending": pending},
        )
    return GoalSaved(saved, targets, overrides, pending, tuple(messages))


def redecompose(
    con: duckdb.DuckDBPyConnection, goal_id: str, by: str, *, baseline: pl.DataFrame | None = None
) -> GoalSaved:
    """Recompute the monthly targets from the stored definition, tactics and overrides."""
    with transaction(con):
        goal, before = load_goal(con, goal_id), monthly_targets(con, goal_id)
        overrides = _overrides(con, goal_id)
        targets, messages = compute_targets(con, goal, overrides, baseline)
        _write_targets(con, goal_id, targets, by)
        _record_targets(con, goal_id, by, "decomposed", before, targets)
    return GoalSaved(goal, targets, overrides, False, tuple(messages))


def override_month(
    con: duckdb.DuckDBPyConnection,
    goal_id: str,
    month: dt.date,
    target: float | None,
    by: str,
    note: str | None = None,
) -> GoalSaved:
    """Hand-set one month's target (`target=None` clears it); the other months are re-spread."""
    with transaction(con):
        goal, before = load_goal(con, goal_id), monthly_targets(con, goal_id)
        if before.is_empty():
            raise DataopsError(
                f"goal {goal_id!r} has no monthly targets yet (its baseline is not frozen). Fix: "
                f"run `dataops goal decompose --goal {goal_id}` first"
            )
        if month not in set(before["month"]):
            fix = f"use a month from {before['month'].min():%Y-%m} to {before['month'].max():%Y-%m}"
            raise DataopsError(f"{month:%Y-%m} is not a month of goal {goal_id!r}. Fix: {fix}")
        if target is not None and not math.isfinite(target):
            raise DataopsError(f"--target {target} is not a number. Fix: give a number")
        params = {"goal": goal_id, "month": month}
        con.execute("delete from goal_overrides where goal = $goal and month = $month", params)
        if target is not None:
            con.execute(
                "insert into goal_overrides values ($goal, $month, $target, $note, $at, $by)",
                params | {"target": target, "note": note, "at": now(), "by": by},
            )
        overrides = _overrides(con, goal_id)
        metric = load_metrics(con)[goal.metric]
        targets = dec.apply_overrides(metric.kind, goal.target, _method_part(before), overrides)
        _write_targets(con, goal_id, targets, by)
        goal = _touch(con, goal, by)
        action = "month_overridden" if target is not None else "override_cleared"
        _record_targets(con, goal_id, by, action, before, targets)
    free = targets.height - overrides.height
    message = (
        f"the other {free} month(s) were re-spread so the months still add up to the target "
        f"({goal.target:,.6g}); {overrides.height} month(s) are set by hand"
    )
    return GoalSaved(goal, targets, overrides, messages=(message,))


def write_targets_with_history(
    con: duckdb.DuckDBPyConnection,
    goal_id: str,
    targets: pl.DataFrame,
    by: str,
    action: str,
    extra: dict,
) -> None:
    """Replace the monthly targets and their overrides (the re-spread of a shortfall uses it)."""
    with transaction(con):
        before = monthly_targets(con, goal_id)
        con.execute("delete from goal_overrides where goal = $goal", {"goal": goal_id})
        hand_set = targets.filter("overridden").select("month", "target", "note")  # noqa: F841
        con.execute(
            "insert into goal_overrides select $goal, month, target, note, $at, $by from hand_set",
            {"goal": goal_id, "at": now(), "by": by},
        )
        _write_targets(con, goal_id, targets, by)
        _touch(con, load_goal(con, goal_id), by)
        _record_targets(con, goal_id, by, action, before, targets, extra)


def _record_targets(
    con: duckdb.DuckDBPyConnection,
    goal_id: str,
    by: str,
    action: str,
    before: pl.DataFrame,
    after: pl.DataFrame,
    extra: dict | None = None,
) -> None:
    after_json = {"targets": targets_json(after)} | (extra or {})
    record_change(con, goal_id, by, action, {"targets": targets_json(before)}, after_json)


def _require_tactics(
    con: duckdb.DuckDBPyConnection, goal: Goal, tactics: pl.DataFrame | None
) -> None:
    """Refuse method tactic without tactics before anything slow (a baseline fit) happens."""
    needs = goal.method is dec.Method.TACTIC and tactics is None
    if needs and load_tactics(con, goal.goal).is_empty():
        raise DataopsError(
            "method tactic needs tactics (month,tactic,weight) and the goal has none "
            "stored. Fix: pass --tactics FILE"
        )


def _settle_overrides(
    con: duckdb.DuckDBPyConnection, goal: Goal, overrides: pl.DataFrame, clear: bool
) -> list[str]:
    if overrides.is_empty():
        return []
    if clear:
        con.execute("delete from goal_overrides where goal = $goal", {"goal": goal.goal})
        return [f"cleared {overrides.height} hand override(s) (--clear-overrides)"]
    months = set(dec.goal_months(goal.start_day, goal.end_day)["month"])
    outside = [m for m in overrides["month"] if m not in months]
    if outside:
        raise DataopsError(
            f"hand overrides exist for {', '.join(f'{m:%Y-%m}' for m in outside)}, outside the "
            "new period. Fix: pass --clear-overrides to drop every override (they stay in the "
            "goal's history), or keep those months in the period"
        )
    return []


def _write_goal(con: duckdb.DuckDBPyConnection, goal: Goal, before: Goal | None, by: str) -> Goal:
    at = now()
    saved = replace(
        goal,
        name=goal.name or goal.goal,
        created_at=before.created_at if before else at,
        created_by=before.created_by if before else by,
        updated_at=at,
        updated_by=by,
    )
    con.execute("delete from goals where goal = $goal", {"goal": goal.goal})
    con.execute(
        "insert into goals values ($goal, $name, $metric, $start_day, $end_day, $target,"
        " $method, $created_at, $created_by, $updated_at, $updated_by)",
        asdict(saved) | {"method": saved.method.value},
    )
    return saved


def _touch(con: duckdb.DuckDBPyConnection, goal: Goal, by: str) -> Goal:
    """Mark the goal changed now by `by` (a month's change is a change to the goal)."""
    at = now()
    con.execute(
        "update goals set updated_at = $at, updated_by = $by where goal = $goal",
        {"at": at, "by": by, "goal": goal.goal},
    )
    return replace(goal, updated_at=at, updated_by=by)


def _write_tactics(con: duckdb.DuckDBPyConnection, goal_id: str, tactics: pl.DataFrame) -> None:
    con.execute("delete from tactics where goal = $goal", {"goal": goal_id})
    rows = tactics.select("month", "tactic", "weight")  # noqa: F841 - read by DuckDB below
    con.execute(
        "insert into tactics select $goal, month, tactic, weight from rows", {"goal": goal_id}
    )


def _write_targets(
    con: duckdb.DuckDBPyConnection, goal_id: str, targets: pl.DataFrame, by: str
) -> None:
    con.execute("delete from goal_targets where goal = $goal", {"goal": goal_id})
    rows = targets  # noqa: F841 - read by DuckDB below
    con.execute(
        "insert into goal_targets select $goal, month, days, weight, target, method_target,"
        " overridden, note, $at, $by from rows",
        {"goal": goal_id, "at": now(), "by": by},
    )


def _overrides(con: duckdb.DuckDBPyConnection, goal_id: str) -> pl.DataFrame:
    return con.sql(
        "select month, target, note from goal_overrides where goal = $goal order by month",
        params={"goal": goal_id},
    ).pl()


def _method_part(targets: pl.DataFrame) -> pl.DataFrame:
    return targets.select("month", "days", "weight", "method_target")
