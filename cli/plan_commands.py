"""`dataops goal`: agree a goal, split it into months, override a month, set status thresholds."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from cli.common import (
    STORE_DEFAULT,
    ByOption,
    DateOption,
    FormatOption,
    GoalOption,
    StoreOption,
    check_format,
    frame_table,
    out,
    print_fits,
    progress_bar,
    read_file,
    who,
)
from metrics.plan.kinds import Method
from metrics.store.errors import DataopsError

# The store's modules (DuckDB, Polars) are imported inside each command, so that
# `dataops goal --help` starts without them (tests/cli/test_main.py).

goal_app = typer.Typer(name="goal", help="Agree a goal and split it into monthly targets.")


def register(app: typer.Typer) -> None:
    app.add_typer(goal_app)


@goal_app.command("set")
def set_command(
    goal: GoalOption,
    metric: Annotated[str, typer.Option(help="The company metric the goal is on.")],
    start: DateOption,
    end: DateOption,
    target: Annotated[
        float, typer.Option(help="flow: total; level: average per day; ratio: the period's ratio.")
    ],
    method: Annotated[Method, typer.Option(help="How the goal is split into months.")],
    tactics: Annotated[
        Path | None, typer.Option(help="CSV month,tactic,weight (method tactic).")
    ] = None,
    name: Annotated[str, typer.Option(help="A display name (default: the id).")] = "",
    by: ByOption = None,
    clear_overrides: Annotated[
        bool, typer.Option(help="Drop every hand override (they stay in the history).")
    ] = False,
    rebaseline: Annotated[
        bool, typer.Option(help="Re-fit the goal's natural baseline (the old one is kept).")
    ] = False,
    workers: Annotated[int | None, typer.Option(help="Processes for fitting.")] = None,
    country: Annotated[str | None, typer.Option(help="Public holidays, e.g. CN.")] = None,
    store: StoreOption = STORE_DEFAULT,
) -> None:
    """Create or change a goal, freeze its natural baseline if the method needs one, and split
    it into monthly targets. Hand overrides are kept (or pass --clear-overrides)."""
    from cli.goal_output import print_saved
    from metrics.plan.decomposition import goal_months
    from metrics.plan.files import parse_tactics
    from metrics.plan.goals import Goal
    from workflows.goals import save_goal

    wanted = Goal(goal, name, metric, start.date(), end.date(), target, method)
    months = goal_months(wanted.start_day, wanted.end_day)
    table = parse_tactics(read_file(tactics), tactics.name, months) if tactics else None
    with progress_bar(f"fitting the natural baseline of {goal}") as progress:
        outcome = save_goal(
            store,
            wanted,
            who(by),
            tactics=table,
            clear_overrides=clear_overrides,
            rebaseline=rebaseline,
            workers=workers,
            country=country,
            progress=progress,
        )
    if outcome.baseline is not None:
        print_fits(outcome.baseline)
    if not outcome.ok:
        raise outcome.problem
    print_saved(outcome.saved)


@goal_app.command("decompose")
def decompose_command(goal: GoalOption, by: ByOption = None, store: StoreOption = STORE_DEFAULT):
    """Recompute the monthly targets from the stored goal (e.g. after `dataops forecast --goal`)."""
    from cli.goal_output import print_saved
    from metrics.plan.months import redecompose
    from metrics.store.connection import open_store

    with open_store(store) as con:
        print_saved(redecompose(con, goal, who(by)))


@goal_app.command("override")
def override_command(
    goal: GoalOption,
    month: Annotated[str, typer.Option(help="The month, YYYY-MM.")],
    target: Annotated[float | None, typer.Option(help="The month's target by hand.")] = None,
    clear: Annotated[bool, typer.Option(help="Give the month back to the method.")] = False,
    note: Annotated[str | None, typer.Option(help="Why (shown next to the month).")] = None,
    by: ByOption = None,
    store: StoreOption = STORE_DEFAULT,
) -> None:
    """Set one month's target by hand; the other months are re-spread to keep the total."""
    from cli.goal_output import print_saved
    from metrics.plan.files import parse_month
    from metrics.plan.months import override_month
    from metrics.store.connection import open_store

    first = parse_month(month)
    if first is None:
        raise DataopsError(f"--month {month!r} is not a month. Fix: write it as YYYY-MM")
    if (target is None) == (not clear):
        raise DataopsError("give either --target X or --clear. Fix: pass exactly one of them")
    with open_store(store) as con:
        saved = override_month(con, goal, first, None if clear else target, who(by), note)
    print_saved(saved)


@goal_app.command("show")
def show_command(
    goal: GoalOption, format: FormatOption = "table", store: StoreOption = STORE_DEFAULT
) -> None:
    """The goal, its monthly targets (overrides marked), tactics and recent changes."""
    from cli.goal_output import print_goal
    from metrics.plan.goals import (
        goal_changes,
        load_goal,
        load_tactics,
        monthly_targets,
        targets_json,
    )
    from metrics.store.catalog import load_metrics
    from metrics.store.connection import open_store

    with open_store(store, read_only=True) as con:
        found = load_goal(con, goal)
        kind = load_metrics(con)[found.metric].kind
        targets, tactics = monthly_targets(con, goal), load_tactics(con, goal)
        changes = goal_changes(con, goal)
    if check_format(format) == "json":
        document = found.definition() | {"kind": kind.value, "pending": targets.is_empty()}
        document |= {"updated_by": found.updated_by, "updated_at": str(found.updated_at)}
        document |= {"months": targets_json(targets), "tactics": targets_json(tactics)}
        document |= {"changes": changes.drop("detail").to_dicts()}
        out.print(json.dumps(document, default=str, indent=2), markup=False)
        return
    print_goal(found, targets)
    if not tactics.is_empty():
        out.print(frame_table(tactics, "tactics"))
    last = changes.tail(5).select("changed_at", "changed_by", "action")
    out.print(frame_table(last, f"last changes ({changes.height} in all)"))


@goal_app.command("list")
def list_command(format: FormatOption = "table", store: StoreOption = STORE_DEFAULT) -> None:
    """Every goal in the store."""
    from metrics.plan.goals import list_goals
    from metrics.store.connection import open_store

    with open_store(store, read_only=True) as con:
        goals = list_goals(con)
    if check_format(format) == "json":
        out.print(json.dumps(goals.to_dicts(), default=str, indent=2), markup=False)
    elif goals.is_empty():
        out.print("no goals yet. Create one with `dataops goal set`", markup=False)
    else:
        out.print(frame_table(goals.drop("updated_at"), "goals"))


@goal_app.command("thresholds")
def thresholds_command(
    on_track: Annotated[float | None, typer.Option(help="Pace at or above: on track.")] = None,
    at_risk: Annotated[float | None, typer.Option(help="Pace at or above: at risk.")] = None,
    store: StoreOption = STORE_DEFAULT,
) -> None:
    """Show, or set, the pace thresholds of the statuses (defaults 1.00 and 0.90)."""
    from metrics.plan.goals import StatusThresholds, set_status_thresholds, status_thresholds
    from metrics.store.connection import open_store

    with open_store(store) as con:
        current = status_thresholds(con)
        if on_track is not None or at_risk is not None:
            current = StatusThresholds(
                current.on_track if on_track is None else on_track,
                current.at_risk if at_risk is None else at_risk,
            )
            set_status_thresholds(con, current)
    out.print(
        f"on track at >= {current.on_track:.0%} of pace, at risk at >= {current.at_risk:.0%}, "
        "off track below",
        markup=False,
    )
