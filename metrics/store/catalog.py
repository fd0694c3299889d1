"""Domain nouns of the catalogue: metrics (with their kind) and teams (with their department)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

import duckdb

UNASSIGNED = "unassigned"


class MetricKind(StrEnum):
    FLOW = "flow"  # summed over days: GMV, orders, visitors
    LEVEL = "level"  # averaged over days: DAU
    RATIO = "ratio"  # numerator flow / denominator flow: conversion rate


@dataclass(frozen=True)
class Metric:
    metric: str
    name: str
    kind: MetricKind
    unit: str
    numerator: str | None = None
    denominator: str | None = None
    higher_is_better: bool = True

    @property
    def stored_metrics(self) -> tuple[str, ...]:
        """The metrics whose observations make this one (a ratio is computed, never stored)."""
        if self.kind is MetricKind.RATIO:
            assert self.numerator and self.denominator
            return (self.numerator, self.denominator)
        return (self.metric,)


@dataclass(frozen=True)
class Team:
    team: str
    name: str
    department: str


def load_metrics(con: duckdb.DuckDBPyConnection) -> dict[str, Metric]:
    rows = con.execute(
        "select metric, name, kind, unit, numerator, denominator, higher_is_better"
        " from metrics order by metric"
    ).fetchall()
    return {
        row[0]: Metric(row[0], row[1], MetricKind(row[2]), row[3], row[4], row[5], bool(row[6]))
        for row in rows
    }


def load_teams(con: duckdb.DuckDBPyConnection) -> dict[str, Team]:
    rows = con.execute("select team, name, department from teams order by team").fetchall()
    return {row[0]: Team(*row) for row in rows}
