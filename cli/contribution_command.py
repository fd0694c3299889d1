"""`dataops contribution`: where a goal stands, who added what above natural growth, and flags.

The goal's natural baseline is frozen first when the store has none for it yet (that fits
Prophet models, with a progress bar on stderr); the report itself only reads the store.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from cli.common import STORE_DEFAULT, StoreOption, err
from cli.plan_commands import freeze
from metrics.contribution.report import ContributionReport, build_report
from metrics.forecasts.reads import goal_baseline_runs, goal_series
from metrics.plan.edits import redecompose
from metrics.plan.goals import load_goal, monthly_targets
from metrics.store.connection import open_store
from metrics.store.export import to_csv_bytes

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
    ensure_baseline(store, goal)
    with open_store(store, read_only=True, create=False) as con:
        report = build_report(con, goal, as_of.date() if as_of else None)
    write(render(report, format), out_file)


def ensure_baseline(store: Path, goal: str) -> None:
    """Freeze the goal's baseline when a series it needs has none; then finish a decomposition
    that was waiting for it (methods natural and tactic)."""
    with open_store(store, create=False) as con:
        load_goal(con, goal)  # an unknown goal is refused before anything is fitted
        needed = set(goal_series(con, goal))
        # failed fits count as tried: the report names them rather than refitting every time
        tried = set(goal_baseline_runs(con, goal).select("metric", "team").iter_rows())
    if needed <= tried:
        return
    freeze(store, goal)
    with open_store(store) as con:
        if monthly_targets(con, goal).is_empty():
            redecompose(con, goal, AUTHOR)
            err.print(f"monthly targets of {goal} decomposed on the new baseline", markup=False)


def render(report: ContributionReport, format: Format) -> bytes:
    if format is Format.CSV:
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
