"""Building the demo company into a store file, as one step.

The store is built in a temporary file next to the target and renamed into place at the end, so
an interrupted build never leaves half a store where `make run` would take it for a whole one.
"""

from __future__ import annotations

import contextlib
import glob
import os
import time
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from metrics.demo import DemoConfig, DemoData, generate, write_demo
from metrics.demo.plan import DEMO_BY, demo_plan, write_plan
from metrics.store.connection import open_store
from metrics.store.errors import DataopsError
from workflows.forecasts import refit_forecasts
from workflows.goals import GoalOutcome, fit_and_split
from workflows.progress import Progress, Step, quiet

if TYPE_CHECKING:
    from forecasting.spark_engine import SparkEngine


class StoreExists(DataopsError):
    """The demo never replaces a store unless told to."""


@dataclass(frozen=True)
class DemoSummary:
    path: Path
    config: DemoConfig
    teams: int  # real teams, `unassigned` not counted
    metrics: int
    days: int
    observations: int
    initiatives: int
    size_bytes: int
    seconds: float
    goal: str = ""  # the demo goal, e.g. "gmv_2025 (method tactic)"
    fitted: GoalOutcome | None = None  # the goal's baseline fit and split, when asked for


def build_demo_store(
    path: Path,
    config: DemoConfig,
    *,
    force: bool = False,
    progress: Progress = quiet,
    forecast: bool = False,
    workers: int | None = None,
    engine: SparkEngine | None = None,
) -> DemoSummary:
    """Generate the demo company and store it at `path`; `progress` hears each step.

    The company gets a current-year GMV goal with phases, assignments and check-ins. With
    `forecast` its natural baseline is fitted and frozen, the goal is split by tactics and every
    series' rolling forecast is fitted (as `dataops demo` does); without, it is split evenly and
    nothing is fitted (fast, for tests). `engine` fits instead of the local pool (Spark, or the
    stand-in of `forecasting.stand_in` that measures a store without Prophet). Raises
    StoreExists when `path` exists and `force` is false.
    """
    refuse_overwrite(path, force=force)
    started = time.perf_counter()
    progress(Step("generating the company"))
    data = generate(config)
    fitted = None
    with _built_in_place(path) as scratch:
        progress(Step("writing the store"))
        with open_store(scratch) as con:
            write_demo(con, data)
        progress(Step("saving the goal, its phases and check-ins"))
        plan = demo_plan(data, with_baseline=forecast)
        with open_store(scratch) as con:
            write_plan(con, plan, decompose=not forecast)
        if forecast:
            fitted = _fit(scratch, plan.goal.id, workers, progress, engine)
    goal = f"{plan.goal.id} (method {plan.goal.method})"
    summary = _summary(path, data, time.perf_counter() - started)
    return replace(summary, goal=goal, fitted=fitted)


def _fit(
    scratch: Path,
    goal_id: str,
    workers: int | None,
    progress: Progress,
    engine: SparkEngine | None,
) -> GoalOutcome:
    """Fit and freeze the goal's natural baseline, split the goal by its tactics, then fit every
    series' rolling forecast (with its backtest) so the Forecasts page has something to show."""
    fitted = fit_and_split(
        scratch, goal_id, DEMO_BY, workers=workers, progress=progress, engine=engine
    )
    if not fitted.ok:
        raise fitted.problem
    refit_forecasts(scratch, workers=workers, progress=progress, engine=engine)
    return fitted


def refuse_overwrite(path: Path, *, force: bool) -> None:
    if path.exists() and not force:
        raise StoreExists(
            f"a store already exists at {path}. Fix: <<replace_store>>, or <<other_store>>"
        )


@contextlib.contextmanager
def _built_in_place(path: Path) -> Iterator[Path]:
    """Yield a scratch file next to `path`; on success it replaces `path`, on failure it goes."""
    path.parent.mkdir(parents=True, exist_ok=True)
    remove_stale_scratch(path)
    scratch = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    _remove_store_files(scratch)
    try:
        yield scratch
        # The old store's write-ahead log would be replayed into the new file: drop it first.
        _wal(path).unlink(missing_ok=True)
        scratch.replace(path)
    finally:
        _remove_store_files(scratch)


def remove_stale_scratch(path: Path) -> list[Path]:
    """Remove scratch files of builds whose process is gone (a SIGKILLed `dataops demo` left a
    22.8 MB `<store>.<pid>.tmp` each time); a live build's scratch is left alone. Returns what
    was removed."""
    removed = []
    for scratch in path.parent.glob(f"{glob.escape(path.name)}.*.tmp"):
        pid = scratch.name[len(path.name) + 1 : -len(".tmp")]
        if pid.isdigit() and not _process_alive(int(pid)):
            _remove_store_files(scratch)
            removed.append(scratch)
    return removed


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's live process
        return True
    return True


def _wal(path: Path) -> Path:
    return path.with_name(path.name + ".wal")


def _remove_store_files(path: Path) -> None:
    path.unlink(missing_ok=True)
    _wal(path).unlink(missing_ok=True)


def _summary(path: Path, data: DemoData, seconds: float) -> DemoSummary:
    return DemoSummary(
        path=path,
        config=data.config,
        teams=data.config.teams,
        metrics=data.metrics.height,
        days=data.config.days,
        observations=data.observations.height,
        initiatives=data.initiatives.height,
        size_bytes=path.stat().st_size,
        seconds=seconds,
    )
