"""What can be imported: the four file formats, and the order files are taken in."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import polars as pl

    from metrics.importing.checks import Check
    from metrics.importing.context import Known


class ImportKind(StrEnum):
    """One importable file format. Declaration order is the order of validation and writing,
    so a metric file may name a team declared in the same import, an observation a metric."""

    TEAMS = "teams"
    METRICS = "metrics"
    OBSERVATIONS = "observations"
    INITIATIVES = "initiatives"

    @property
    def rank(self) -> int:
        return list(ImportKind).index(self)


@dataclass(frozen=True)
class Format:
    """The rules of one file format, and how its rows land in the store."""

    kind: ImportKind
    columns: tuple[str, ...]  # the CSV header, in the order the templates show it
    table: str
    key: Mapping[str, str]  # table key column -> frame column (typed where parsed)
    typed: Callable[[pl.DataFrame], pl.DataFrame]  # adds typed helper columns (_day, _value, ...)
    checks: Callable[[Known, bool], list[Check]]  # (what the store knows, replace) -> rules
    rows: Callable[[pl.DataFrame], pl.DataFrame]  # typed frame -> the table's columns, in order
