"""The plan's enums, apart from the modules that compute with them: the command line declares
its options with them, and `dataops goal --help` should not import DuckDB or Polars for that."""

from __future__ import annotations

from enum import StrEnum


class Method(StrEnum):
    EVEN = "even"  # by days in month
    LAST_YEAR = "last_year"  # last year's monthly shape of the same metric, company level
    NATURAL = "natural"  # the shape of the goal's natural baseline
    TACTIC = "tactic"  # natural baseline + the gap spread by tactic weights per month

    @property
    def needs_baseline(self) -> bool:
        return self in (Method.NATURAL, Method.TACTIC)


class Status(StrEnum):
    ON_TRACK = "on_track"
    AT_RISK = "at_risk"
    OFF_TRACK = "off_track"
