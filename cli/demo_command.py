"""`dataops demo`: build the seeded demo company into a new store file (`workflows.demo`)."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Annotated

import typer

from cli.common import STORE_DEFAULT, StoreOption, err, out
from metrics.store.errors import DataopsError

if TYPE_CHECKING:
    from workflows.demo import DemoSummary

# metrics.demo's DemoConfig defaults, written out: importing metrics.demo takes SciPy (over a
# second), which `dataops demo --help` does without. tests/cli/test_main.py checks they agree.
SEED, TEAMS, YEARS = 7, 5, 3


def register(app: typer.Typer) -> None:
    app.command("demo")(demo_command)


def demo_command(
    store: StoreOption = STORE_DEFAULT,
    seed: Annotated[
        int, typer.Option(help="Random seed: the same seed builds the same company.")
    ] = SEED,
    teams: Annotated[int, typer.Option(help="Teams, besides `unassigned`.")] = TEAMS,
    years: Annotated[
        int, typer.Option(help="Full years of history before the current year.")
    ] = YEARS,
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
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    from metrics.demo import DemoConfig
    from workflows.demo import build_demo_store, refuse_overwrite

    config = DemoConfig(seed=seed, teams=teams, years=years, **_end_option(end))
    refuse_overwrite(store, force=force)  # before the progress bar, so a refusal is one line
    columns = (SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn())
    with Progress(*columns, console=err, transient=True) as bar:
        task = bar.add_task("starting", total=None)
        summary = build_demo_store(
            store,
            config,
            force=force,
            progress=lambda step: bar.update(task, description=str(step)),
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
