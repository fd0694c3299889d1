"""`dataops demo`: build the seeded demo company into a new store file.

The store is built in a temporary file next to the target and renamed into place at the end, so
an interrupted build never leaves half a store where `make run` would take it for a whole one.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import glob
import os
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from cli.common import STORE_DEFAULT, StoreOption, err, out
from metrics.demo import DemoConfig, DemoData, generate, write_demo
from metrics.demo.plan import DEMO_BY, demo_plan, write_plan
from metrics.plan.edits import redecompose
from metrics.store.connection import open_store
from metrics.store.errors import DataopsError


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


def build_demo_store(
    path: Path,
    config: DemoConfig,
    *,
    force: bool = False,
    progress: Callable[[str], None] = lambda step: None,
    forecast: bool = False,
    workers: int | None = None,
) -> DemoSummary:
    """Generate the demo company and store it at `path`; `progress` hears each step's name.

    The company gets a current-year GMV goal with phases, assignments and check-ins. With
    `forecast` its natural baseline is fitted and frozen and the goal is split by tactics (as
    `dataops demo` does); without, it is split evenly and nothing is fitted (fast, for tests).
    Raises StoreExists when `path` exists and `force` is false.
    """
    refuse_overwrite(path, force=force)
    started = time.perf_counter()
    progress("generating the company")
    data = generate(config)
    with _built_in_place(path) as scratch:
        progress("writing the store")
        with open_store(scratch) as con:
            write_demo(con, data)
        progress("saving the goal, its phases and check-ins")
        plan = demo_plan(data, with_baseline=forecast)
        with open_store(scratch) as con:
            write_plan(con, plan, decompose=not forecast)
        if forecast:
            _freeze_and_decompose(scratch, plan.goal.goal, workers, progress)
    goal = f"{plan.goal.goal} (method {plan.goal.method})"
    return replace(_summary(path, data, time.perf_counter() - started), goal=goal)


def _freeze_and_decompose(
    scratch: Path, goal: str, workers: int | None, progress: Callable[[str], None]
) -> None:
    """Fit and freeze the goal's natural baseline, split the goal by its tactics, then fit every
    series' rolling forecast (with its backtest) so the Forecasts page has something to show."""
    from forecasting.runner import freeze_goal_baseline, refresh_rolling  # Prophet: slow import

    def fitted(what: str) -> Callable[[int, int, str], None]:
        return lambda done, total, label: progress(f"fitting {what} {done}/{total} ({label})")

    freeze_goal_baseline(scratch, goal, workers=workers, progress=fitted("natural baselines"))
    progress("splitting the goal into monthly targets")
    with open_store(scratch) as con:
        redecompose(con, goal, DEMO_BY)
    refresh_rolling(scratch, workers=workers, progress=fitted("rolling forecasts"))


def refuse_overwrite(path: Path, *, force: bool) -> None:
    if path.exists() and not force:
        raise StoreExists(
            f"a store already exists at {path}. Fix: pass --force to replace it with the demo "
            "company, or choose another path with --store"
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


def register(app: typer.Typer) -> None:
    app.command("demo")(demo_command)


def demo_command(
    store: StoreOption = STORE_DEFAULT,
    seed: Annotated[
        int, typer.Option(help="Random seed: the same seed builds the same company.")
    ] = DemoConfig.seed,
    teams: Annotated[int, typer.Option(help="Teams, besides `unassigned`.")] = DemoConfig.teams,
    years: Annotated[
        int, typer.Option(help="Full years of history before the current year.")
    ] = DemoConfig.years,
    end: Annotated[
        str | None, typer.Option(help="Last day of data, YYYY-MM-DD. Default: yesterday.")
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Replace an existing store.")] = False,
    no_forecast: Annotated[
        bool,
        typer.Option(
            "--no-forecast",
            help="Fit nothing (fast): no baseline or forecasts; the goal is split evenly.",
        ),
    ] = False,
    workers: Annotated[int | None, typer.Option(help="Processes for fitting.")] = None,
) -> None:
    """Build the demo e-commerce company: teams, metrics, daily history, initiatives, and a
    current-year goal with its natural baseline, phases, assignments and check-ins, and every
    series' rolling forecast."""
    config = DemoConfig(seed=seed, teams=teams, years=years, **_end_option(end))
    refuse_overwrite(store, force=force)  # before the progress bar, so a refusal is one line
    columns = (SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn())
    with Progress(*columns, console=err, transient=True) as bar:
        task = bar.add_task("starting", total=None)
        summary = build_demo_store(
            store,
            config,
            force=force,
            progress=lambda step: bar.update(task, description=step),
            forecast=not no_forecast,
            workers=workers,
        )
    out.print(_describe(summary), markup=False)


def _end_option(end: str | None) -> dict[str, dt.date]:
    if end is None:
        return {}
    try:
        return {"end": dt.date.fromisoformat(end)}
    except ValueError:
        raise DataopsError(
            f"--end {end!r} is not a date. Fix: write it as YYYY-MM-DD, e.g. --end 2025-11-30"
        ) from None


def _describe(summary: DemoSummary) -> str:
    config = summary.config
    return "\n".join(
        [
            f"built the demo company at {summary.path} in {summary.seconds:.1f} s",
            f"  teams         {summary.teams:,} (+ unassigned), seed {config.seed}",
            f"  metrics       {summary.metrics}",
            f"  days          {summary.days:,} ({config.start} to {config.end})",
            f"  observations  {summary.observations:,}",
            f"  initiatives   {summary.initiatives:,}",
            f"  goal          {summary.goal}",
            f"  size          {summary.size_bytes / 1e6:,.1f} MB",
        ]
    )
