"""The goal: its definition, monthly targets, tactics, change history and status thresholds.

Reads are named queries returning Polars frames; writes live in `metrics.plan.edits`. Every write
appends to `goal_changes` through `record_change`, in the same transaction as the write itself.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from dataclasses import asdict, dataclass
from enum import StrEnum

import duckdb
import polars as pl

from metrics.plan.kinds import Method, Status
from metrics.store.connection import transaction
from metrics.store.errors import DataopsError, Problem, ValidationFailed
from metrics.store.frames import frame


@dataclass(frozen=True)
class Goal:
    id: str  # the goal's id (`goal` in the store's tables; elsewhere `goal_id: str`)
    name: str
    metric: str
    start_day: dt.date
    end_day: dt.date
    target: float  # flow: total over the period; level: average per day; ratio: the period's ratio
    method: Method
    created_at: dt.datetime | None = None
    created_by: str | None = None
    updated_at: dt.datetime | None = None
    updated_by: str | None = None

    def definition(self) -> dict:
        """What a person chose (no audit fields), JSON-ready: what goal_changes records."""
        keys = ("name", "metric", "start_day", "end_day", "target", "method")
        chosen = {key: value for key, value in asdict(self).items() if key in keys}
        return {key: _jsonable(value) for key, value in ({"goal": self.id} | chosen).items()}


@dataclass(frozen=True)
class StatusThresholds:
    """Pace ratios (actual to date / target to date) at which a goal or team is on track/at risk."""

    on_track: float = 1.00
    at_risk: float = 0.90

    def status(self, pace: float) -> Status:
        if pace >= self.on_track:
            return Status.ON_TRACK
        return Status.AT_RISK if pace >= self.at_risk else Status.OFF_TRACK

    def problems(self) -> list[Problem]:
        found = []
        for name, value in (("on_track", self.on_track), ("at_risk", self.at_risk)):
            if not math.isfinite(value) or value <= 0:
                fix = "give a positive fraction of pace, e.g. 0.9 for 90%"
                found.append(Problem("thresholds", "is not a positive number", fix, None, name))
        if not found and self.at_risk > self.on_track:
            message = f"at_risk ({self.at_risk:g}) is above on_track ({self.on_track:g})"
            found.append(Problem("thresholds", message, "make at_risk <= on_track"))
        return found


_GOAL_COLUMNS = (
    "goal, name, metric, start_day, end_day, target, method,"
    " created_at, created_by, updated_at, updated_by"
)
_THRESHOLD_KEYS = {"on_track": "status.on_track", "at_risk": "status.at_risk"}


def now() -> dt.datetime:
    """Timestamps are stored in UTC without a zone, so people in two offices see one order."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def find_goal(con: duckdb.DuckDBPyConnection, goal_id: str) -> Goal | None:
    rows = con.execute(  # fetchall, not fetchone: DuckDB 2 keeps a half-read result open
        f"select {_GOAL_COLUMNS} from goals where goal = $goal",  # noqa: S608 - fixed column list
        {"goal": goal_id},
    ).fetchall()
    if not rows:
        return None
    row = rows[0]
    return Goal(*row[:6], Method(row[6]), *row[7:])  # type: ignore[arg-type]


def load_goal(con: duckdb.DuckDBPyConnection, goal_id: str) -> Goal:
    """The goal `goal_id`; an unknown id is refused with the ids that exist."""
    goal = find_goal(con, goal_id)
    if goal is None:
        known = list_goals(con)["goal"].to_list()
        fix = f"use one of {', '.join(known)}" if known else "<<create_goal>>"
        raise DataopsError(f"there is no goal {goal_id!r}. Fix: {fix}")
    return goal


def list_goals(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """Columns: goal, name, metric, start_day, end_day, target, method, updated_at, updated_by,
    overrides (number of hand-overridden months)."""
    return frame(
        con.sql(
            "select g.goal, g.name, g.metric, g.start_day, g.end_day, g.target, g.method,"
            " g.updated_at, g.updated_by, count(t.month) filter (where t.overridden) as overrides"
            " from goals g left join goal_targets t using (goal)"
            " group by all order by g.start_day desc, g.goal"
        )
    )


def monthly_targets(con: duckdb.DuckDBPyConnection, goal_id: str) -> pl.DataFrame:
    """Columns: month, days, weight, target, method_target, overridden, note.

    `weight` says how months combine into the goal (see `metrics.plan.decomposition`).
    """
    return con.sql(
        "select month, days, weight, target, method_target, overridden, note"
        " from goal_targets where goal = $goal order by month",
        params={"goal": goal_id},
    ).pl()


def load_tactics(con: duckdb.DuckDBPyConnection, goal_id: str) -> pl.DataFrame:
    """Columns: month, tactic, weight."""
    return con.sql(
        "select month, tactic, weight from tactics where goal = $goal order by month, tactic",
        params={"goal": goal_id},
    ).pl()


def goal_changes(con: duckdb.DuckDBPyConnection, goal_id: str) -> pl.DataFrame:
    """Columns: change, changed_at, changed_by, action, detail (JSON: before and after)."""
    return con.sql(
        "select change, changed_at, changed_by, action, detail from goal_changes"
        " where goal = $goal order by change",
        params={"goal": goal_id},
    ).pl()


def record_change(
    con: duckdb.DuckDBPyConnection, goal_id: str, by: str, action: str, before, after
) -> None:
    """Append who changed what; call inside the transaction that makes the change."""
    detail = json.dumps({"before": before, "after": after}, default=_json_default, sort_keys=True)
    con.execute(
        "insert into goal_changes (goal, changed_at, changed_by, action, detail)"
        " values ($goal, $at, $by, $action, $detail)",
        {"goal": goal_id, "at": now(), "by": by, "action": action, "detail": detail},
    )


def targets_json(targets: pl.DataFrame) -> list[dict]:
    """Monthly targets as JSON-ready rows, for goal_changes and `dataops goal show`."""
    return [{k: _jsonable(v) for k, v in row.items()} for row in targets.to_dicts()]


def status_thresholds(con: duckdb.DuckDBPyConnection) -> StatusThresholds:
    """The thresholds in `settings`, or the defaults (on track >= 1.00 of pace, at risk >= 0.90)."""
    rows = dict(con.execute("select key, value from settings").fetchall())
    values = {
        name: float(rows[key]) for name, key in _THRESHOLD_KEYS.items() if rows.get(key) is not None
    }
    return StatusThresholds(**values)


def set_status_thresholds(con: duckdb.DuckDBPyConnection, thresholds: StatusThresholds) -> None:
    if problems := thresholds.problems():
        raise ValidationFailed(problems)
    with transaction(con):
        for name, key in _THRESHOLD_KEYS.items():
            con.execute(
                "insert or replace into settings values ($key, $value)",
                {"key": key, "value": repr(getattr(thresholds, name))},
            )


def _jsonable(value):
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if isinstance(value, StrEnum):
        return value.value
    return value


def _json_default(value):
    if isinstance(value, dt.date | dt.datetime | StrEnum):
        return _jsonable(value)
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")
