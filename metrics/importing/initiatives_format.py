"""initiatives.csv: `initiative,team,metric,start,end,name`, one row per initiative."""

from __future__ import annotations

import polars as pl

from metrics.importing.checks import (
    Check,
    iso_date,
    known,
    not_in_store,
    parse_date,
    plain_id,
    required,
    unique,
)
from metrics.importing.context import Known
from metrics.importing.kinds import Format, ImportKind
from metrics.store.catalog import UNASSIGNED

COLUMNS = ("initiative", "team", "metric", "start", "end", "name")


def typed(frame: pl.DataFrame) -> pl.DataFrame:
    """Adds _start and _end (Date), null where the text is not an ISO date."""
    return frame.with_columns(parse_date("start").alias("_start"), parse_date("end").alias("_end"))


def checks(known_ids: Known, replace: bool) -> list[Check]:
    rules = [
        *map(required, COLUMNS),
        plain_id("initiative", "initiative"),
        iso_date("start", "_start"),
        iso_date("end", "_end"),
        _ends_after_start(),
        known("team", known_ids.teams, "team"),
        _run_by_a_team(),
        known("metric", known_ids.metrics, "metric"),
        unique(("initiative",), "initiative", "initiative", "initiative id"),
    ]
    if replace:
        return rules
    return [*rules, not_in_store("initiative", "initiative", "initiative id")]


def _ends_after_start() -> Check:
    return Check(
        "an end before the start",
        pl.col("_end") < pl.col("_start"),
        "ends before it starts ({start})",
        "swap start and end, or correct the one that is wrong",
        column="end",
    )


def _run_by_a_team() -> Check:
    return Check(
        f"the team {UNASSIGNED!r}",
        pl.col("team") == UNASSIGNED,
        f"{UNASSIGNED!r} holds what no team owns and cannot run an initiative",
        "name the team that runs it",
        column="team",
    )


def rows(frame: pl.DataFrame) -> pl.DataFrame:
    """Output columns: initiative, team, metric, start_day, end_day, name."""
    return frame.select(
        "initiative",
        "team",
        "metric",
        pl.col("_start").alias("start_day"),
        pl.col("_end").alias("end_day"),
        "name",
    )


FORMAT = Format(
    ImportKind.INITIATIVES,
    COLUMNS,
    table="initiatives",
    key={"initiative": "initiative"},
    typed=typed,
    checks=checks,
    rows=rows,
)
