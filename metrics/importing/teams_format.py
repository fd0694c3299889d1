"""teams.csv: `team,name,department`, one row per team.

The reserved team `unassigned` (what no team owns) is in every store and cannot be redefined; a
row that repeats it unchanged, as an exported teams.csv does, is accepted and left alone.
"""

from __future__ import annotations

from dataclasses import replace as replace_check

import polars as pl

from metrics.importing.checks import Check, literal, not_in_store, plain_id, required, unique
from metrics.importing.context import Known
from metrics.importing.kinds import Format, ImportKind
from metrics.store.catalog import UNASSIGNED

COLUMNS = ("team", "name", "department")
RESERVED = pl.col("team") == UNASSIGNED


def checks(known: Known, replace: bool) -> list[Check]:
    rules = [
        *map(required, COLUMNS),
        plain_id("team", "team"),
        _reserved(known.unassigned),
        unique(("team",), "team", "team", "team id"),
    ]
    if replace:
        return rules
    existing = not_in_store("team", "team", "team id")
    return [*rules, replace_check(existing, failing=existing.failing & ~RESERVED)]


def _reserved(stored: tuple[str, str]) -> Check:
    name, department = stored
    return Check(
        f"a change to the reserved team {UNASSIGNED!r}",
        RESERVED & ((pl.col("name") != name) | (pl.col("department") != department)),
        "is reserved for the share of a metric that no team owns, and cannot be changed",
        literal(
            f"give the team another id, or leave this row as the store has it "
            f"({UNASSIGNED},{name},{department})"
        ),
        column="team",
    )


def rows(frame: pl.DataFrame) -> pl.DataFrame:
    """Output columns: team, name, department (the reserved team left as the store has it)."""
    return frame.filter(~RESERVED).select(COLUMNS)


FORMAT = Format(
    ImportKind.TEAMS,
    COLUMNS,
    table="teams",
    key={"team": "team"},
    typed=lambda frame: frame,
    checks=checks,
    rows=rows,
)
