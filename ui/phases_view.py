"""What the Phases page shows: editor rows of phases and assignments, checked by the plan files'
own rules (`metrics.plan.files` per row, `metrics.plan.phases.validate_*` for the plan as a whole),
share totals, each team's derived targets and the phases' shortfalls. Pure functions.

Edited rows go through the same parsers as an uploaded CSV, so the page refuses exactly what
`dataops phase` refuses, with the same messages and fixes, rows counted as the editor shows them.
"""

from __future__ import annotations

import csv
import io

import polars as pl

from metrics.plan.files import (
    ASSIGNMENT_COLUMNS,
    PHASE_COLUMNS,
    parse_assignments,
    parse_phases,
)
from metrics.plan.phases import SHARE_TOLERANCE, validate_assignments, validate_phases
from metrics.store.errors import Problem, ValidationFailed
from ui.goals_view import MONTH_FORMAT, editor_rows

PHASE_SCHEMA = {
    "phase": pl.String,
    "name": pl.String,
    "start": pl.String,
    "end": pl.String,
    "main_task": pl.String,
}
ASSIGNMENT_SCHEMA = {
    "phase": pl.String,
    "team": pl.String,
    "share_percent": pl.Float64,
    "indicator": pl.String,
}


def phases_editor_frame(phases: pl.DataFrame) -> pl.DataFrame:
    """Stored phases as editor rows. Columns: phase, name, start, end (YYYY-MM), main_task."""
    return phases.select(
        "phase",
        "name",
        start=pl.col("start_month").dt.strftime(MONTH_FORMAT),
        end=pl.col("end_month").dt.strftime(MONTH_FORMAT),
        main_task="main_task",
    ).cast(PHASE_SCHEMA)  # type: ignore[arg-type]


def phases_from_editor(
    edited: pl.DataFrame, months: pl.DataFrame
) -> tuple[pl.DataFrame | None, list[Problem]]:
    """(phases: phase, name, start_month, end_month, main_task, in time order) or (None, every
    problem). `months`: the goal's months."""
    try:
        rows, problems = parse_phases(_csv(edited, PHASE_COLUMNS), "phases")
    except ValidationFailed as refused:
        return None, editor_rows(refused.problems)
    rows = rows.with_columns(pl.col("row") - 1)
    problems = editor_rows(problems) + validate_phases(rows, months, "phases")
    return (None, problems) if problems else (rows.drop("row").sort("start_month"), [])


def assignments_editor_frame(assignments: pl.DataFrame) -> pl.DataFrame:
    """Stored assignments as editor rows. Columns: phase, team, share_percent, indicator."""
    return assignments.select(
        "phase", "team", share_percent=(pl.col("share") * 100).round(4), indicator="indicator"
    ).cast(ASSIGNMENT_SCHEMA)  # type: ignore[arg-type]


def assignments_from_editor(
    edited: pl.DataFrame,
    phase_ids: list[str],
    teams: set[str],
    metrics: set[str],
    stored: pl.DataFrame,
) -> tuple[pl.DataFrame | None, list[Problem]]:
    """(assignments: phase, team, share (a fraction), indicator) or (None, every problem).

    A phase whose rows were all deleted is a problem too: saving replaces only the phases the
    rows name, so its saved shares would silently stay.
    """
    percent = edited.with_columns(
        share_percent=pl.when(pl.col("share_percent").is_not_null()).then(
            pl.col("share_percent").cast(pl.String) + "%"
        )
    )
    try:
        rows, problems = parse_assignments(_csv(percent, ASSIGNMENT_COLUMNS), "assignments")
    except ValidationFailed as refused:
        return None, editor_rows(refused.problems)
    rows = rows.with_columns(pl.col("row") - 1)
    problems = editor_rows(problems)
    problems += validate_assignments(rows, phase_ids, teams, metrics, "assignments")
    for phase in sorted(set(stored["phase"]) - set(rows["phase"])):
        fix = "give the phase its teams' shares (adding up to 100%), or remove the phase above"
        problems.append(Problem("assignments", f"phase {phase} has no rows left", fix))
    return (None, problems) if problems else (rows.drop("row"), [])


def _csv(frame: pl.DataFrame, header: tuple[str, ...]) -> str:
    """Editor rows (columns in the file's order) as the CSV text the plan files' parsers read,
    empty cells for nulls."""
    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow(header)
    for row in frame.rows():
        writer.writerow("" if cell is None else str(cell) for cell in row)
    return text.getvalue()


def share_totals(edited: pl.DataFrame) -> pl.DataFrame:
    """Each phase's shares as edited. Columns: phase, teams, share (a fraction), whole (the
    shares add up to 100% within the tolerance `metrics.plan.phases` allows)."""
    named = edited.filter(pl.col("phase").is_not_null())
    return (
        named.group_by("phase", maintain_order=True)
        .agg(teams=pl.len(), share=pl.col("share_percent").fill_null(0).sum() / 100)
        .with_columns(whole=((pl.col("share") - 1).abs() <= SHARE_TOLERANCE + 1e-12))
    )


def team_targets_table(targets: pl.DataFrame) -> pl.DataFrame:
    """`load_team_phase_targets` for people. Columns: phase, team, share, natural, share_of_gap
    (the uplift the team must add: its share of the phase's gap), target, indicator,
    indicator_natural, indicator_target."""
    return targets.select(
        "phase",
        "team",
        "share",
        "natural",
        share_of_gap="uplift",
        target="target",
        indicator="indicator",
        indicator_natural="indicator_natural",
        indicator_target="indicator_target",
    )


def shortfall_table(shortfalls: pl.DataFrame) -> pl.DataFrame:
    """`load_phase_shortfalls` for people. Columns: phase, months, target, actual, shortfall
    (> 0: short of the target), state (ended / running)."""
    months = pl.concat_str(
        pl.col("start_month").dt.strftime(MONTH_FORMAT),
        pl.col("end_month").dt.strftime(MONTH_FORMAT),
        separator=" – ",
    )
    state = pl.when("ended").then(pl.lit("ended")).otherwise(pl.lit("running"))
    return shortfalls.select(
        "phase", months=months, target="target", actual="actual", shortfall="shortfall", state=state
    )


def respreadable(shortfalls: pl.DataFrame) -> list[str]:
    """Phases that ended short of their target and have a phase after them."""
    later = pl.col("start_month") < pl.col("start_month").max()
    short = shortfalls.filter(pl.col("ended") & (pl.col("shortfall") > 0) & later)
    return short["phase"].to_list()
