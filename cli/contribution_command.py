"""`dataops contribution`: where a goal stands, who added what above natural growth, and flags.

The goal's natural baseline is frozen first when the store has none for it yet
(`workflows.goals.ensure_baseline`: Prophet fits, with a progress bar on stderr); the report
itself only reads the store.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import sys
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from cli.common import STORE_DEFAULT, StoreOption, err, print_fits, progress_bar

# The store's modules (DuckDB, Polars) are imported inside the functions, so that
# `dataops contribution --help` starts without them (tests/cli/test_main.py).
if TYPE_CHECKING:
    from metrics.contribution.report import ContributionReport

AUTHOR = "dataops contribution"


class Format(StrEnum):
    JSON = "json"
    CSV = "csv"


def register(app: typer.Typer) -> None:
    app.command("contribution")(contribution_command)


def contribution_command(
    goal: Annotated[str, typer.Option("--goal", help="The goal's id, e.g. gmv_2026.")],
    as_of: Annotated[
        dt.datetime | None,
        typer.Option(
            "--as-of",
            formats=["%Y-%m-%d"],
            help="Measure up to this day (YYYY-MM-DD). Default: the last day with data.",
        ),
    ] = None,
    format: Annotated[
        Format, typer.Option("--format", help="json: the whole report; csv: the rollup table.")
    ] = Format.JSON,
    out_file: Annotated[
        Path | None, typer.Option("--out", help="Write to this file instead of stdout.")
    ] = None,
    store: StoreOption = STORE_DEFAULT,
) -> None:
    """Each team's contribution above natural growth to a goal, with pace, landing and flags.

    JSON keys: goal, metric, target, natural, gap (over the period), actual_to_date, as_of,
    landing {value, lower, upper, probability}, teams [...], departments [...], months,
    initiatives, flags [...]. CSV: one row per team, department and the company.
    """
    from metrics.contribution.report import build_report
    from metrics.store.connection import open_store

    ensure_baseline(store, goal)
    with open_store(store, read_only=True, create=False) as con:
        report = build_report(con, goal, as_of.date() if as_of else None)
    write(render(report, format), out_file)


def ensure_baseline(store: Path, goal_id: str) -> None:
    """Freeze the goal's baseline when a series it needs has none; then finish a decomposition
    that was waiting for it (methods natural and tactic)."""
    import workflows.goals

    with progress_bar(f"fitting the natural baseline of {goal_id}") as progress:
        outcome = workflows.goals.ensure_baseline(store, goal_id, AUTHOR, progress=progress)
    if outcome is None:
        return
    if outcome.baseline is not None:
        print_fits(outcome.baseline)
    if not outcome.ok:
        raise outcome.problem
    if outcome.saved is not None:
        err.print(f"monthly targets of {goal_id} decomposed on the new baseline", markup=False)


def render(report: ContributionReport, format: Format) -> bytes:
    if format is Format.CSV:
        from metrics.store.export import to_csv_bytes

        return to_csv_bytes(report.table())
    text = json.dumps(_finite(report.to_json_dict()), indent=2, ensure_ascii=False)
    return (text + "\n").encode()


def _finite(value):
    """NaN and infinities become null: JSON has no such numbers."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {key: _finite(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_finite(item) for item in value]
    return value


def write(data: bytes, out_file: Path | None) -> None:
    if out_file is None:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
        return
    out_file.write_bytes(data)
    err.print(f"wrote {out_file}", markup=False)
