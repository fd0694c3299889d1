"""`dataops checkin`: a team's status, problems and next actions, for the review meeting."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from cli.common import (
    STORE_DEFAULT,
    ByOption,
    FormatOption,
    StoreOption,
    check_format,
    frame_table,
    out,
    who,
)
from metrics.plan.kinds import Status

# The store's modules (DuckDB, Polars) are imported inside each command, so that
# `dataops checkin --help` starts without them (tests/cli/test_main.py).

checkin_app = typer.Typer(name="checkin", help="Teams report status and problems.")


@checkin_app.command("add")
def add_command(
    team: Annotated[str, typer.Option(help="The reporting team.")],
    status: Annotated[Status, typer.Option(help="on_track, at_risk or off_track.")],
    goal: Annotated[str | None, typer.Option(help="The goal reported on.")] = None,
    notes: Annotated[str, typer.Option(help="What happened.")] = "",
    problems: Annotated[str, typer.Option(help="What stands in the way.")] = "",
    next_actions: Annotated[str, typer.Option(help="What the team does next.")] = "",
    by: ByOption = None,
    store: StoreOption = STORE_DEFAULT,
) -> None:
    """Add a check-in. At risk and off track need --problems, so the review can act on them."""
    from metrics.plan.checkins import add_checkin
    from metrics.store.connection import open_store

    with open_store(store) as con:
        checkin = add_checkin(con, team, goal, who(by), status, notes, problems, next_actions)
    out.print(f"check-in {checkin} saved for {team} ({status})", markup=False)


@checkin_app.command("list")
def list_command(
    goal: Annotated[str | None, typer.Option(help="Only this goal's check-ins.")] = None,
    team: Annotated[str | None, typer.Option(help="Only this team's check-ins.")] = None,
    format: FormatOption = "table",
    store: StoreOption = STORE_DEFAULT,
) -> None:
    """Check-ins, newest first."""
    from metrics.plan.checkins import load_checkins
    from metrics.store.connection import open_store

    with open_store(store, read_only=True) as con:
        checkins = load_checkins(con, goal_id=goal, team=team)
    if check_format(format) == "json":
        out.print(json.dumps(checkins.to_dicts(), default=str, indent=2), markup=False)
    elif checkins.is_empty():
        out.print("no check-ins yet. Add one with `dataops checkin add`", markup=False)
    else:
        shown = checkins.drop("checkin", "department", "next_actions")
        out.print(frame_table(shown, "check-ins"))


def register(app: typer.Typer) -> None:
    app.add_typer(checkin_app)
