"""A family of generated companies, measured end to end: the acceptance bar of the uplift and its
calibrated interval (the statistical test and `benchmarks/calibration_bench.py` share it).

Each company has 3-6 teams with AR(1) daily noise of 2-6% (persistence 0.3-0.8), linear,
compound or slowly declining growth, past campaigns and this year's campaigns with known uplift,
and an as-of day between June and November. Only the goal metric's series are fitted, so the
measurement is of the baseline and its interval, not of the plan.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import polars as pl

TOLERANCE_SHARE, TOLERANCE_NATURAL = 0.2, 0.015  # a miss beyond 20% of truth + 1.5% of natural


@dataclass(frozen=True)
class TeamPeriod:
    """One team's uplift to date on the goal metric: planted, measured, and the interval."""

    seed: int
    team: str
    as_of: dt.date
    truth: float
    natural: float  # the planted natural total to date
    measured: float
    lower: float | None
    upper: float | None

    @property
    def miss(self) -> float:
        """|measured - truth| as a share of the natural total to date."""
        return abs(self.measured - self.truth) / self.natural

    @property
    def within(self) -> bool:
        allowed = TOLERANCE_SHARE * abs(self.truth) + TOLERANCE_NATURAL * self.natural
        return abs(self.measured - self.truth) <= allowed

    @property
    def covered(self) -> bool:
        return self.lower is not None and self.lower <= self.truth <= self.upper

    @property
    def half_width(self) -> float:
        return (self.upper - self.lower) / 2 / self.natural if self.lower is not None else 0.0


@dataclass(frozen=True)
class FamilySummary:
    periods: int
    coverage: float
    within: float
    worst_miss: float
    median_half_width: float

    def lines(self) -> list[str]:
        return [
            f"team-periods            {self.periods}",
            f"80% interval coverage   {self.coverage:.2f}  (0.65-0.95 asked)",
            f"within tolerance        {self.within:.2f}  (at least 0.80 asked)",
            f"worst miss              {self.worst_miss:.2%} of natural  (at most 6% asked)",
            f"median half-width       {self.median_half_width:.2%} of natural",
        ]


def company_config(seed: int):
    """The company of `seed`: its size, as-of day and noise drawn from the seed."""
    from metrics.demo.config import WILD_NOISE, DemoConfig

    rng = np.random.default_rng([seed, 99])
    as_of = dt.date(2025, 6, 1) + dt.timedelta(days=int(rng.integers(0, 183)))
    return DemoConfig(seed=seed, teams=int(rng.integers(3, 7)), years=3, end=as_of, **WILD_NOISE)


def measure(seed: int, folder: Path, *, workers: int | None = 1) -> list[TeamPeriod]:
    """Build company `seed` in `folder`, freeze its goal metric's baseline, measure each team."""
    from forecasting.runner import freeze_goal_baseline
    from metrics.contribution.report import build_report
    from metrics.store.connection import open_store
    from tests.metrics.test_contribution import planted_by_team
    from workflows.demo import build_demo_store

    config = company_config(seed)
    path = folder / f"company_{seed}.duckdb"
    build_demo_store(path, config, force=True)
    with open_store(path) as con:
        goal = con.execute("select goal from goals").fetchall()[0][0]
        con.execute("delete from assignments")  # fit the goal metric's series only
    report = freeze_goal_baseline(path, goal, workers=workers)
    if report.failed:
        raise AssertionError(f"company {seed}: {[item.reason for item in report.failed]}")
    with open_store(path, read_only=True) as con:
        measured = build_report(con, goal)
        truth = planted_by_team(con, measured)
    rows = measured.teams.select("team", "uplift", "uplift_lower", "uplift_upper").rows()
    return [
        TeamPeriod(seed, team, measured.as_of, *truth[team], uplift, lower, upper)
        for team, uplift, lower, upper in rows
    ]


def summarise(periods: list[TeamPeriod]) -> FamilySummary:
    return FamilySummary(
        periods=len(periods),
        coverage=float(np.mean([p.covered for p in periods])),
        within=float(np.mean([p.within for p in periods])),
        worst_miss=max(p.miss for p in periods),
        median_half_width=float(np.median([p.half_width for p in periods])),
    )


def periods_frame(periods: list[TeamPeriod]) -> pl.DataFrame:
    return pl.DataFrame(
        [dataclasses.asdict(p) | {"miss": p.miss, "covered": p.covered} for p in periods]
    )
