"""Which training days to leave out of a series because an initiative was pushing it.

An initiative on metric M by team T moves T's M (for a ratio: its numerator and denominator).
A natural model fitted through those days would learn the push as natural growth (a yearly
campaign becomes "seasonality") and credit next year's campaign to nobody. So those days get a
missing y; Prophet fits around them and still predicts them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

import polars as pl


class MaskScope(StrEnum):
    TARGET = "target"  # only the initiative's own metric(s) for its team
    TEAM = "team"  # every series of the initiative's team


@dataclass(frozen=True)
class MaskPolicy:
    """`payback_days` after an initiative are masked too (demand pulled forward shows there)."""

    scope: MaskScope = MaskScope.TARGET
    payback_days: int = 0


def masked_days(initiatives: pl.DataFrame, metric: str, team: str, policy: MaskPolicy) -> pl.Series:
    """Sorted distinct days to mask for one series.

    `initiatives` has team, metric, start_day, end_day with `metric` already a stored metric
    (see `metrics.forecasts.reads.initiative_windows`).
    """
    mine = initiatives.filter(pl.col("team") == team)
    if policy.scope is MaskScope.TARGET:
        mine = mine.filter(pl.col("metric") == metric)
    if mine.is_empty():
        return pl.Series("day", [], dtype=pl.Date)
    ranges = mine.select(
        day=pl.date_ranges(
            "start_day", pl.col("end_day") + dt.timedelta(days=policy.payback_days), "1d"
        )
    )
    return ranges.explode("day")["day"].unique().sort()
