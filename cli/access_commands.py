"""`dataops access`: who may do what (grant, revoke, list). The command line is the local
operator: whoever can write the store file may manage access, and is recorded as the OS user."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from cli.common import STORE_DEFAULT, FormatOption, StoreOption, check_format, frame_table, out, who
from metrics.access.roles import Role

# The store's modules (DuckDB, Polars) are imported inside each command, so that
# `dataops access --help` starts without them (tests/cli/test_main.py).

access_app = typer.Typer(name="access", help="Who may do what: roles kept in the store.")
ROLES = ", ".join(str(role) for role in Role)


@access_app.command("grant")
def grant_command(
    email: Annotated[str, typer.Argument(help="The e-mail the person signs in with.")],
    role: Annotated[str, typer.Option("--role", help=f"One of {ROLES}.")],
    team: Annotated[
        list[str] | None, typer.Option("--team", help="A team they lead (team_lead; repeat).")
    ] = None,
    store: StoreOption = STORE_DEFAULT,
) -> None:
    """Give EMAIL a role (team_lead: of each --team). Grants add up; revoke removes them all."""
    from metrics.access.grants import grant
    from metrics.store.connection import open_store

    with open_store(store) as con:
        added = grant(con, email, role.strip(), list(team or []), who(None))
    teams = f" of {', '.join(team)}" if team else ""
    already = "" if added else " (already granted)"
    out.print(f"{email.strip().lower()} is {role}{teams}{already}", markup=False)


@access_app.command("revoke")
def revoke_command(
    email: Annotated[str, typer.Argument(help="Whose access to remove.")],
    store: StoreOption = STORE_DEFAULT,
) -> None:
    """Remove every grant of EMAIL: they see the no-access page from their next click."""
    from metrics.access.grants import revoke
    from metrics.store.connection import open_store

    with open_store(store) as con:
        removed = revoke(con, email)
    out.print(f"revoked {removed} grant(s) of {email.strip().lower()}", markup=False)


@access_app.command("list")
def list_command(format: FormatOption = "table", store: StoreOption = STORE_DEFAULT) -> None:
    """Every grant: e-mail, role, team, who granted it and when."""
    from metrics.access.grants import list_grants
    from metrics.store.connection import open_store

    with open_store(Path(store), read_only=True) as con:
        grants = list_grants(con)
    if check_format(format) == "json":
        out.print(json.dumps(grants.to_dicts(), default=str, indent=2), markup=False)
    elif grants.is_empty():
        out.print("no grants yet: without sign-in configured the app runs in local mode (everyone "
                  "is the owner). Grant with `dataops access grant EMAIL --role owner`",
                  markup=False)  # fmt: skip
    else:
        out.print(frame_table(grants, "access"))


def register(app: typer.Typer) -> None:
    app.add_typer(access_app)
