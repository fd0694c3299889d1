"""`dataops phase`: phases with their main task, each team's share, and a shortfall's re-spread."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from cli.common import (
    STORE_DEFAULT,
    ByOption,
    FormatOption,
    GoalOption,
    StoreOption,
    check_format,
    frame_table,
    out,
    read_file,
    who,
)

# The store's modules (DuckDB, Polars) are imported inside each command, so that
# `dataops phase --help` starts without them (tests/cli/test_main.py).
if TYPE_CHECKING:
    import polars as pl

phase_app = typer.Typer(name="phase", help="Phases, main tasks and each team's share of the gap.")
FileOption = Annotated[Path, typer.Option("--file", help="The CSV file.")]


@phase_app.command("set")
def set_command(
    goal: GoalOption, file: FileOption, by: ByOption = None, store: StoreOption = STORE_DEFAULT
) -> None:
    """Replace the goal's phases from a CSV: phase,name,start,end,main_task (months YYYY-MM).

    Phases must cover the goal's months without holes or overlaps, each with a main task.
    """
    from metrics.plan.decomposition import goal_months
    from metrics.plan.goals import load_goal
    from metrics.plan.phases import phases_from_csv, save_phases, unassigned_phases
    from metrics.store.connection import open_store

    data = read_file(file)
    with open_store(store) as con:
        found = load_goal(con, goal)
        phases = phases_from_csv(data, file.name, goal_months(found.start_day, found.end_day))
        dropped = save_phases(con, goal, phases, who(by))
        waiting = unassigned_phases(con, goal)
    out.print(frame_table(_months_as_text(phases), f"phases of {goal}"))
    if not dropped.is_empty():
        out.print(
            f"note: dropped {dropped.height} assignment(s) of phases no longer in the file "
            f"({', '.join(dropped['phase'].unique(maintain_order=True))}); they stay in the "
            "goal's history",
            markup=False,
        )
    _say_waiting(waiting)


@phase_app.command("assign")
def assign_command(
    goal: GoalOption, file: FileOption, by: ByOption = None, store: StoreOption = STORE_DEFAULT
) -> None:
    """Set team shares from a CSV: phase,team,share,indicator.

    Shares are fractions (0.25) or percentages (25%) and add up to 100% in each phase named in
    the file; phases the file does not name keep their assignments.
    """
    from metrics.plan.phases import (
        assignments_from_csv,
        load_assignments,
        save_assignments,
        unassigned_phases,
    )
    from metrics.store.connection import open_store

    data = read_file(file)
    with open_store(store) as con:
        save_assignments(con, goal, assignments_from_csv(con, goal, data, file.name), who(by))
        stored, waiting = load_assignments(con, goal), unassigned_phases(con, goal)
    out.print(frame_table(stored, f"assignments of {goal}"))
    _say_waiting(waiting)


@phase_app.command("show")
def show_command(
    goal: GoalOption, format: FormatOption = "table", store: StoreOption = STORE_DEFAULT
) -> None:
    """Phases, assignments, each team's phase target, and how each phase stands."""
    from metrics.plan.goals import load_goal
    from metrics.plan.phase_review import load_phase_shortfalls, load_team_phase_targets
    from metrics.plan.phases import load_assignments, load_phases
    from metrics.store.connection import open_store

    with open_store(store, read_only=True) as con:
        load_goal(con, goal)
        parts = {
            "phases": load_phases(con, goal),
            "assignments": load_assignments(con, goal),
            "team_targets": load_team_phase_targets(con, goal),
            "standing": load_phase_shortfalls(con, goal),
        }
    if check_format(format) == "json":
        document = {"goal": goal} | {name: frame.to_dicts() for name, frame in parts.items()}
        out.print(json.dumps(document, default=str, indent=2), markup=False)
        return
    for name, frame in parts.items():
        if frame.is_empty():
            out.print(f"{name.replace('_', ' ')}: none yet", markup=False)
        else:
            out.print(frame_table(_months_as_text(frame), name.replace("_", " ")))


@phase_app.command("respread")
def respread_command(
    goal: GoalOption,
    from_phase: Annotated[str, typer.Option("--from-phase", help="The phase that ended short.")],
    by: ByOption = None,
    store: StoreOption = STORE_DEFAULT,
) -> None:
    """Spread an ended phase's shortfall over the later months (its months are set to actual)."""
    from cli.goal_output import print_saved
    from metrics.plan.goals import load_goal, monthly_targets
    from metrics.plan.months import GoalSaved
    from metrics.plan.phase_review import respread_from_phase
    from metrics.store.connection import open_store

    with open_store(store) as con:
        standing, targets = respread_from_phase(con, goal, from_phase, who(by))
        saved = GoalSaved(load_goal(con, goal), monthly_targets(con, goal), targets.clear())
    out.print(
        f"phase {from_phase} ended at {standing['actual']:,.6g} against {standing['target']:,.6g}"
        f": a shortfall of {standing['shortfall']:,.6g}, now spread over the later months",
        markup=False,
    )
    print_saved(saved)


def _say_waiting(waiting: list[str]) -> None:
    if waiting:
        out.print(
            f"note: no team has a share of {', '.join(waiting)} yet. Fix: `dataops phase assign`",
            markup=False,
        )


def _months_as_text(frame: pl.DataFrame) -> pl.DataFrame:
    import polars as pl

    months = [c for c in ("start_month", "end_month") if c in frame.columns]
    return frame.with_columns(pl.col(c).dt.strftime("%Y-%m") for c in months)


def register(app: typer.Typer) -> None:
    app.add_typer(phase_app)
