"""Changing a goal's monthly targets: splitting it again, hand-setting a month, replacing them.

Each change is one transaction that appends who/when/what (the targets before and after) to
goal_changes. Overrides live in goal_overrides and survive any re-decomposition; the method's
months are re-spread around them, so the months still add up to the goal's target.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field, replace

import duckdb
import polars as pl

from metrics.plan import decomposition as dec
from metrics.plan.goals import Goal, load_goal, monthly_targets, now, record_change, targets_json
from metrics.plan.inputs import compute_targets
from metrics.store.catalog import load_metrics
from metrics.store.connection import transaction
from metrics.store.errors import DataopsError


@dataclass(frozen=True)
class GoalSaved:
    goal: Goal
    targets: pl.DataFrame  # monthly_targets() columns; empty while pending
    overrides: pl.DataFrame  # month, target, note: the hand-set months kept
    pending: bool = False  # saved without monthly targets until the baseline is frozen
    messages: tuple[str, ...] = field(default=())


def redecompose(
    con: duckdb.DuckDBPyConnection, goal_id: str, by: str, *, baseline: pl.DataFrame | None = None
) -> GoalSaved:
    """Recompute the monthly targets from the stored definition, tactics and overrides."""
    with transaction(con):
        goal, before = load_goal(con, goal_id), monthly_targets(con, goal_id)
        overrides = stored_overrides(con, goal_id)
        targets, messages = compute_targets(con, goal, overrides, baseline)
        write_targets(con, goal_id, targets, by)
        record_targets(con, goal_id, by, "decomposed", before, targets)
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
                "<<split_goal>> first",
                goal=goal_id,
            )
        if month not in set(before["month"]):
            fix = f"use a month from {before['month'].min():%Y-%m} to {before['month'].max():%Y-%m}"
            raise DataopsError(f"{month:%Y-%m} is not a month of goal {goal_id!r}. Fix: {fix}")
        if target is not None and not math.isfinite(target):
            raise DataopsError(f"the target {target} is not a number. Fix: give a number")
        params = {"goal": goal_id, "month": month}
        con.execute("delete from goal_overrides where goal = $goal and month = $month", params)
        if target is not None:
            con.execute(
                "insert into goal_overrides values ($goal, $month, $target, $note, $at, $by)",
                params | {"target": target, "note": note, "at": now(), "by": by},
            )
        overrides = stored_overrides(con, goal_id)
        metric = load_metrics(con)[goal.metric]
        targets = dec.apply_overrides(metric.kind, goal.target, _method_part(before), overrides)
        write_targets(con, goal_id, targets, by)
        goal = touch(con, goal, by)
        action = "month_overridden" if target is not None else "override_cleared"
        record_targets(con, goal_id, by, action, before, targets)
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
        write_targets(con, goal_id, targets, by)
        touch(con, load_goal(con, goal_id), by)
        record_targets(con, goal_id, by, action, before, targets, extra)


def record_targets(
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


def touch(con: duckdb.DuckDBPyConnection, goal: Goal, by: str) -> Goal:
    """Mark the goal changed now by `by` (a month's change is a change to the goal)."""
    at = now()
    con.execute(
        "update goals set updated_at = $at, updated_by = $by where goal = $goal",
        {"at": at, "by": by, "goal": goal.goal},
    )
    return replace(goal, updated_at=at, updated_by=by)


def write_targets(
    con: duckdb.DuckDBPyConnection, goal_id: str, targets: pl.DataFrame, by: str
) -> None:
    con.execute("delete from goal_targets where goal = $goal", {"goal": goal_id})
    rows = targets  # noqa: F841 - read by DuckDB below
    con.execute(
        "insert into goal_targets select $goal, month, days, weight, target, method_target,"
        " overridden, note, $at, $by from rows",
        {"goal": goal_id, "at": now(), "by": by},
    )


def stored_overrides(con: duckdb.DuckDBPyConnection, goal_id: str) -> pl.DataFrame:
    return con.sql(
        "select month, target, note from goal_overrides where goal = $goal order by month",
        params={"goal": goal_id},
    ).pl()


def _method_part(targets: pl.DataFrame) -> pl.DataFrame:
    return targets.select("month", "days", "weight", "method_target")
