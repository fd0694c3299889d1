"""What a save of a goal changes and what it changed: the definition and months a replacement
changes (shown before confirming), the hand edits of the months editor, and the change history
for people. Pure functions, frames in and frames out.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

import polars as pl

from metrics.plan.goals import Goal
from ui.goals_view import MONTH_FORMAT


def definition_changes(before: Goal, after: Goal) -> pl.DataFrame:
    """What a save changes in the goal's definition. Columns: field, saved, new (as text)."""
    old, new = before.definition(), after.definition()
    rows = [(key, str(old[key]), str(new[key])) for key in new if old[key] != new[key]]
    return pl.DataFrame(rows, schema=["field", "saved", "new"], orient="row")


def month_differences(saved: pl.DataFrame, new: pl.DataFrame) -> pl.DataFrame:
    """Months whose target a save changes (relative change above 1e-9; months only on one side
    included). Columns: month (YYYY-MM), saved, new, change."""
    joined = saved.select("month", saved="target").join(
        new.select("month", new="target"), on="month", how="full", coalesce=True
    )
    change = pl.col("new") - pl.col("saved")
    scale = pl.max_horizontal(pl.col("saved").abs(), pl.col("new").abs(), pl.lit(1.0))
    moved = change.is_null() | (change.abs() > 1e-9 * scale)
    return (
        joined.filter(moved)
        .sort("month")
        .select(pl.col("month").dt.strftime(MONTH_FORMAT), "saved", "new", change=change)
    )


@dataclass(frozen=True)
class MonthEdit:
    month: dt.date
    target: float | None  # None gives the month back to the method
    note: str | None


def month_editor_frame(targets: pl.DataFrame) -> pl.DataFrame:
    """Stored monthly targets as editor rows. Columns: month (YYYY-MM), method_target, target,
    set_by_hand, note."""
    return targets.select(
        pl.col("month").dt.strftime(MONTH_FORMAT),
        "method_target",
        "target",
        set_by_hand=pl.col("overridden"),
        note=pl.col("note").fill_null(""),
    )


def month_edits(targets: pl.DataFrame, edited: pl.DataFrame) -> list[MonthEdit]:
    """The overrides the edited rows ask for, clears first: a changed target sets the month by
    hand, unticking `set_by_hand` gives it back, ticking it pins today's value, and a new note
    on a hand-set month is saved with it."""
    edits = []
    for old, new in zip(targets.iter_rows(named=True), edited.iter_rows(named=True), strict=True):
        note = (new["note"] or "").strip() or None
        moved = new["target"] is not None and abs(new["target"] - old["target"]) > 1e-9 * max(
            abs(old["target"]), 1.0
        )
        if moved or (new["set_by_hand"] and not old["overridden"]):
            edits.append(MonthEdit(old["month"], new["target"], note))
        elif old["overridden"] and not new["set_by_hand"]:
            edits.append(MonthEdit(old["month"], None, None))
        elif old["overridden"] and note != old["note"]:
            edits.append(MonthEdit(old["month"], old["target"], note))
    return sorted(edits, key=lambda edit: edit.target is not None)


def history_table(changes: pl.DataFrame) -> pl.DataFrame:
    """goal_changes for people. Columns: change, changed_at, changed_by, action, what."""
    rows = changes.select("action", "detail").rows()
    return changes.select("change", "changed_at", "changed_by", "action").with_columns(
        what=pl.Series([_summary(action, json.loads(detail)) for action, detail in rows])
    )


def _summary(action: str, detail: dict) -> str:
    before, after = detail.get("before") or {}, detail.get("after") or {}
    said = []
    if action in ("created", "changed"):
        old, new = before.get("goal") or {}, after["goal"]
        said += [f"{k}: {old[k]} → {v}" for k, v in new.items() if old and old[k] != v]
        said += [] if old else [f"target {new['target']:,.6g}, method {new['method']}"]
        said += ["monthly targets wait for the baseline"] if after.get("pending") else []
    if isinstance(after, dict) and after.get("targets") and not after.get("pending"):
        old_targets = {row["month"]: row["target"] for row in before.get("targets", [])}
        moved = [row for row in after["targets"] if old_targets.get(row["month"]) != row["target"]]
        said.append(f"{len(moved)} month(s) changed")
    if action == "phases_set":
        said.append("phases " + ", ".join(row["phase"] for row in after.get("phases", [])))
    if action == "assignments_set":
        said.append(f"{len(after)} assignment(s)")
    return "; ".join(said)


def has_changes(
    saved: Goal | None,
    goal: Goal,
    tactics: pl.DataFrame | None,
    stored_tactics: pl.DataFrame,
    clear: bool,
) -> bool:
    """Whether saving `goal` (with these tactics, clearing overrides or not) changes anything."""
    if saved is None or clear or saved.definition() != goal.definition():
        return True
    return tactics is not None and not tactics.equals(stored_tactics)


def request_key(goal: Goal, tactics: pl.DataFrame | None, clear: bool) -> str:
    """Identifies what a Save asks for, so a confirmation given for it lapses when inputs change."""
    rows = None if tactics is None else tactics.rows()
    return json.dumps([goal.definition(), rows, clear], default=str)
