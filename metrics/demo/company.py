"""The demo company as frames: `generate` is pure, seeded, and writes nothing."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from metrics.demo import initiatives, natural
from metrics.demo.config import METRICS, DemoConfig, segments, teams_frame


@dataclass(frozen=True)
class DemoData:
    """Everything the demo writes, one frame per table.

    teams: team, name, department. metrics: the catalogue's columns. observations, truth_natural:
    day, metric, team, value. initiatives: initiative, team, metric, start_day, end_day, name.
    truth_effects: initiative, day, metric, team, effect, kind. truth_cases: initiative, kind,
    team, acting_team, metric, start_day, end_day, relative_effect, effect (the case's total on
    `metric`).
    """

    config: DemoConfig
    teams: pl.DataFrame
    metrics: pl.DataFrame
    observations: pl.DataFrame
    initiatives: pl.DataFrame
    truth_natural: pl.DataFrame
    truth_effects: pl.DataFrame
    truth_cases: pl.DataFrame


def generate(config: DemoConfig) -> DemoData:
    """Build the demo company for `config`; the same config always gives the same frames."""
    rng = np.random.default_rng(config.seed)
    segment_frame = segments(config, rng)
    truth_natural = natural.natural_frame(config, segment_frame, rng)
    planned = initiatives.plan(config, rng)
    every_case = initiatives.cases(config, planned, rng)
    truth_effects = initiatives.effects(every_case, truth_natural)
    return DemoData(
        config=config,
        teams=teams_frame(config),
        metrics=METRICS,
        observations=_actual(truth_natural, truth_effects),
        initiatives=planned.join(every_case.select("initiative").unique(), on="initiative")
        .select("initiative", "team", "metric", "start_day", "end_day", "name")
        .sort("start_day", "initiative"),
        truth_natural=truth_natural,
        truth_effects=truth_effects,
        truth_cases=_case_totals(every_case, truth_effects),
    )


def _actual(truth_natural: pl.DataFrame, truth_effects: pl.DataFrame) -> pl.DataFrame:
    """actual = natural + the sum of the planted effects, day by day. Columns as observations."""
    moved = truth_effects.group_by("day", "metric", "team").agg(pl.col("effect").sum())
    return (
        truth_natural.join(moved, on=["day", "metric", "team"], how="left")
        .with_columns(value=pl.col("value") + pl.col("effect").fill_null(0.0))
        .drop("effect")
    )


def _case_totals(every_case: pl.DataFrame, truth_effects: pl.DataFrame) -> pl.DataFrame:
    totals = truth_effects.group_by("initiative", "kind", "team", "metric").agg(
        pl.col("effect").sum()
    )
    return (
        every_case.drop("campaign")
        .join(totals, on=["initiative", "kind", "team", "metric"], how="left")
        .sort("start_day", "initiative", "kind")
    )
