"""Small seeded companies for the contribution, attribution, pacing and checks tests.

Everything is synthetic and exact: the natural series is known, effects are planted on top, and
the "baseline" is the natural series itself (plus a chosen bias) with sampled paths around it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np
import polars as pl

from metrics.store.catalog import Metric, MetricKind

FLOW = Metric("gmv", "GMV", MetricKind.FLOW, "CNY")
LEVEL = Metric("dau", "DAU", MetricKind.LEVEL, "users")
RATIO = Metric("conversion", "Conversion", MetricKind.RATIO, "%", "orders", "visitors")
SAMPLES = 200


def window_inputs(
    seed: int, teams: int, metric: Metric, *, days: int = 30
) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """Window sums of a random company: (sums, samples, teams).

    sums: metric, team, actual, natural; samples: metric, team, sample, value;
    teams: team, department (`unassigned` included, in its own department).
    """
    rng = np.random.default_rng(seed)
    names = [f"t{i:02d}" for i in range(teams - 1)] + ["unassigned"]
    stored = metric.stored_metrics
    rows, draws = [], []
    for name in names:
        for scale, stored_metric in zip((1.0, 25.0), stored, strict=False):
            natural = rng.uniform(100, 1000) * scale * days
            actual = natural * rng.uniform(0.85, 1.3)
            rows.append((stored_metric, name, actual, natural))
            for sample, noise in enumerate(rng.normal(1.0, 0.03, SAMPLES)):
                draws.append((stored_metric, name, sample, natural * noise))
    sums = pl.DataFrame(rows, schema=["metric", "team", "actual", "natural"], orient="row")
    samples = pl.DataFrame(draws, schema=["metric", "team", "sample", "value"], orient="row")
    departments = [f"d{i % 3}" for i in range(teams - 1)] + ["unassigned"]
    return sums, samples, pl.DataFrame({"team": names, "department": departments})


@dataclass(frozen=True)
class Planted:
    """An initiative and what it does: `lift` on its team while it runs, relative to natural;
    `payback` relative dip on its team for as many days after; `harm` relative dip of
    `victim` while it runs."""

    initiative: str
    team: str
    start: dt.date
    days: int
    lift: float
    payback: float = 0.0
    victim: str | None = None
    harm: float = 0.0

    @property
    def end(self) -> dt.date:
        return self.start + dt.timedelta(days=self.days - 1)


@dataclass(frozen=True)
class Company:
    """A daily company on one flow metric with planted initiatives."""

    seed: int = 1
    teams: tuple[str, ...] = ("promo", "merch", "users", "service", "unassigned")
    start: dt.date = dt.date(2025, 1, 1)
    days: int = 240
    noise: float = 0.03  # day-to-day relative noise of every series
    bias: dict[str, float] = field(default_factory=dict)  # baseline error by team, relative
    plants: tuple[Planted, ...] = ()

    def frames(self) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
        """(daily: day, metric, team, actual, natural, truth_effect;
        daily_samples: day, metric, team, sample, value; initiatives)."""
        rng = np.random.default_rng(self.seed)
        day = pl.date_range(self.start, self.start + dt.timedelta(self.days - 1), eager=True)
        t = np.arange(self.days)
        parts, samples = [], []
        for i, team in enumerate(self.teams):
            level = 1000.0 * (i + 1) * (1 + 0.1 * np.sin(2 * np.pi * t / 7))
            natural = level * np.exp(rng.normal(0, self.noise, self.days))
            effect = self._effects(team, day.to_list(), level)
            baseline = level * (1 + self.bias.get(team, 0.0))
            parts.append(
                pl.DataFrame(
                    {
                        "day": day,
                        "team": team,
                        "actual": natural + effect,
                        "natural": baseline,
                        "truth_effect": effect,
                    }
                )
            )
            paths = baseline * np.exp(rng.normal(0, self.noise, (SAMPLES, self.days)))
            samples.append(
                pl.DataFrame(
                    {
                        "day": np.tile(day.to_numpy(), SAMPLES),
                        "team": team,
                        "sample": np.repeat(np.arange(SAMPLES), self.days),
                        "value": paths.ravel(),
                    }
                )
            )
        daily = pl.concat(parts).with_columns(metric=pl.lit(FLOW.metric))
        daily_samples = pl.concat(samples).with_columns(metric=pl.lit(FLOW.metric))
        initiatives = pl.DataFrame(
            [(p.initiative, p.team, FLOW.metric, p.start, p.end) for p in self.plants],
            schema={
                "initiative": pl.String,
                "team": pl.String,
                "metric": pl.String,
                "start_day": pl.Date,
                "end_day": pl.Date,
            },
            orient="row",
        )
        return daily, daily_samples, initiatives

    def _effects(self, team: str, days: list[dt.date], level: np.ndarray) -> np.ndarray:
        effect = np.zeros(len(days))
        for p in self.plants:
            for k, day in enumerate(days):
                offset = (day - p.start).days
                if team == p.team and 0 <= offset < p.days:
                    effect[k] += p.lift * level[k]
                if team == p.team and p.days <= offset < 2 * p.days:
                    effect[k] -= p.payback * level[k]
                if team == p.victim and 0 <= offset < p.days:
                    effect[k] -= p.harm * level[k]
        return effect


def bounds_from(daily_samples: pl.DataFrame):
    """A `metrics.checks.flags.Bounds` over per-day sampled paths, like the store's query."""

    def bounds(spans: pl.DataFrame, low: float, high: float) -> pl.DataFrame:
        totals = (
            spans.join(daily_samples, on=["metric", "team"])
            .filter(pl.col("day").is_between(pl.col("start_day"), pl.col("end_day")))
            .group_by("probe", "sample")
            .agg(pl.col("value").sum())
        )
        return totals.group_by("probe").agg(
            natural_lower=pl.col("value").quantile(low, interpolation="linear"),
            natural_upper=pl.col("value").quantile(high, interpolation="linear"),
        )

    return bounds
