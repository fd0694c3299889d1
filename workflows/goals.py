"""Saving a goal as one step: save it, fit its natural baseline when its method needs one, and
split it into monthly targets.

    outcome = save_goal(store, goal, "ana", tactics=frame, progress=print)
    outcome.state            # saved, fitted or failed
    outcome.saved.targets    # the monthly targets written (empty while pending)
    outcome.baseline         # what the fit did (None when nothing was fitted)
    outcome.notes            # the domain's notes (overrides kept, months re-spread, ...)
    outcome.problem          # why the months are not saved (a DataopsError), else None

A goal whose method needs a baseline that is not frozen is first saved pending (no monthly
targets), so nothing typed is lost if the fit fails; the store is closed while models fit.
Refused input raises `DataopsError` before anything is written.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING

import polars as pl

from metrics.forecasts.reads import goal_baseline, goal_baseline_runs, goal_series
from metrics.plan.edits import set_goal
from metrics.plan.goals import Goal, load_goal, monthly_targets
from metrics.plan.months import GoalSaved, redecompose
from metrics.store.connection import open_store
from metrics.store.errors import DataopsError
from workflows.forecasts import freeze_baseline
from workflows.progress import Progress, quiet

if TYPE_CHECKING:
    from forecasting.report import RunReport


class GoalState(StrEnum):
    SAVED = "saved"  # the goal and its monthly targets are saved; nothing was fitted
    FITTED = "fitted"  # its natural baseline was fitted, then its monthly targets saved
    FAILED = "failed"  # the goal is saved, its monthly targets are not (`problem` says why)


@dataclass(frozen=True)
class GoalOutcome:
    goal_id: str
    state: GoalState
    saved: GoalSaved | None  # the goal as last written (None: only a fit was asked for)
    baseline: RunReport | None = None  # what fitting did, when it ran
    notes: tuple[str, ...] = ()  # the domain's notes for the user, in order
    problem: DataopsError | None = None  # why the monthly targets are not saved (failed)

    @property
    def ok(self) -> bool:
        return self.state is not GoalState.FAILED


def save_goal(
    store: Path,
    goal: Goal,
    by: str,
    *,
    tactics: pl.DataFrame | None = None,
    clear_overrides: bool = False,
    rebaseline: bool = False,
    workers: int | None = None,
    country: str | None = None,
    progress: Progress = quiet,
) -> GoalOutcome:
    """Save `goal`; when its method needs a natural baseline and none is frozen (or `rebaseline`),
    save it pending, fit the baseline, then split it into months."""
    with open_store(store) as con:
        frozen = not goal_baseline(con, goal.goal).is_empty()
        fit = goal.method.needs_baseline and (rebaseline or not frozen)
        saved = set_goal(
            con, goal, by, tactics=tactics, clear_overrides=clear_overrides, decompose=not fit
        )
    if not fit:
        return GoalOutcome(goal.goal, GoalState.SAVED, saved, notes=saved.messages)
    fitted = fit_and_split(
        store,
        goal.goal,
        by,
        rebaseline=rebaseline and frozen,
        workers=workers,
        country=country,
        progress=progress,
    )
    return GoalOutcome(
        goal.goal,
        fitted.state,
        fitted.saved or saved,
        fitted.baseline,
        saved.messages + fitted.notes,
        fitted.problem,
    )


def fit_and_split(
    store: Path,
    goal_id: str,
    by: str,
    *,
    rebaseline: bool = False,
    workers: int | None = None,
    country: str | None = None,
    progress: Progress = quiet,
) -> GoalOutcome:
    """Freeze the goal's natural baseline, then split a goal that waits for it into months."""
    report = freeze_baseline(
        store, goal_id, rebaseline=rebaseline, workers=workers, country=country, progress=progress
    )
    with open_store(store) as con:
        if not monthly_targets(con, goal_id).is_empty():
            return GoalOutcome(goal_id, GoalState.FITTED, None, report)
        try:
            saved = redecompose(con, goal_id, by)
        except DataopsError as error:
            why = DataopsError(
                f"goal {goal_id!r} is saved, but its monthly targets are not: {error.template}",
                **error.context,
            )
            return GoalOutcome(goal_id, GoalState.FAILED, None, report, problem=why)
    return GoalOutcome(goal_id, GoalState.FITTED, saved, report, saved.messages)


def ensure_baseline(
    store: Path, goal_id: str, by: str, *, progress: Progress = quiet
) -> GoalOutcome | None:
    """Freeze the goal's baseline when a series it needs has never been tried, and split a goal
    that waits for it; None when every series has a run already (failed fits count as tried:
    the report names them rather than refitting every time)."""
    with open_store(store, create=False) as con:
        load_goal(con, goal_id)  # an unknown goal is refused before anything is fitted
        needed = set(goal_series(con, goal_id))
        tried = set(goal_baseline_runs(con, goal_id).select("metric", "team").iter_rows())
    if needed <= tried:
        return None
    return fit_and_split(store, goal_id, by, progress=progress)
