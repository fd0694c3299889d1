"""What the demo company is made of: its size and dates, its metrics, and its teams' segments.

Every real team is one of five archetypes (the functions of an e-commerce operations group). The
archetype fixes what the team's segment looks like: how much of the traffic it owns, how well that
traffic converts, how big its baskets are, how fast it grows and how much the festivals move it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np
import polars as pl

from metrics.store.catalog import UNASSIGNED
from metrics.store.errors import DataopsError

# The store's seeded market calendar covers these years (migration 0002), so the demo does too.
FIRST_YEAR, LAST_YEAR = 2010, 2040
MAX_TEAMS = 5000
MAX_YEARS = 20


class DemoConfigError(DataopsError):
    """A demo size or date the generator cannot honour."""


def _yesterday() -> dt.date:
    return dt.date.today() - dt.timedelta(days=1)


@dataclass(frozen=True)
class DemoConfig:
    """`years` full years of history before `end`'s year, then that year up to `end` inclusive."""

    seed: int = 7
    teams: int = 5
    years: int = 3
    end: dt.date = field(default_factory=_yesterday)
    # Day-to-day deviations are AR(1) on the log scale, as in real business series: each team
    # draws its persistence and a multiple of the components' base noise (NOISE in natural.py,
    # about 2% on GMV) from these ranges.
    noise_phi: tuple[float, float] = (0.3, 0.6)
    noise_scale: tuple[float, float] = (1.0, 1.5)

    def __post_init__(self) -> None:
        if not 0 <= self.seed < 2**32:  # what numpy's generators take
            raise DemoConfigError(
                f"seed {self.seed}: expected a whole number from 0 to {2**32 - 1:,}. "
                "Fix: <<demo_seed>>"
            )
        if not 2 <= self.teams <= MAX_TEAMS:
            raise DemoConfigError(
                f"{self.teams} teams: expected 2 to {MAX_TEAMS} (a cannibalisation needs two teams "
                "on one metric). Fix: <<demo_teams>>"
            )
        if not 1 <= self.years <= MAX_YEARS:
            raise DemoConfigError(
                f"{self.years} years: expected 1 to {MAX_YEARS} full years of history. "
                "Fix: <<demo_years>>"
            )
        if self.start.year < FIRST_YEAR or self.end.year > LAST_YEAR:
            raise DemoConfigError(
                f"last day {self.end.isoformat()} with {self.years} years: the data would run from "
                f"{self.start.year} to {self.end.year}, but the market calendar covers "
                f"{FIRST_YEAR} to {LAST_YEAR}. Fix: pick an end date and years inside that range"
            )

    @property
    def start(self) -> dt.date:
        return dt.date(self.end.year - self.years, 1, 1)

    @property
    def current_year(self) -> int:
        return self.end.year

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


# A family of harder companies for statistical tests and benchmarks: GMV noise of 2-6% a day
# with persistence 0.3-0.8 (what the calibration must cope with on real series).
WILD_NOISE = {"noise_phi": (0.3, 0.8), "noise_scale": (1.0, 3.0)}
# How a team's traffic grows, with the share of teams of each kind: the same gain each year
# (most maturing segments), the same rate each year, or a slow decline.
GROWTH_KINDS = {"linear": 0.5, "compound": 0.35, "decline": 0.15}


@dataclass(frozen=True)
class Archetype:
    """The shape of one kind of team's segment. Rates are per visitor; growth is per year (log)."""

    key: str
    name: str
    department: str
    visitors: float  # share of the company's visitors at the start
    conversion: float  # orders per visitor
    aov: float  # CNY per order
    signup: float  # new users per visitor
    dau_ratio: float  # daily active users per visitor
    growth: float
    festival: float  # how strongly the market festivals move the segment (1 = the market)
    campaigns_this_year: bool = True  # False: a team that runs no initiative in the current year


# Columns: key, name, department, visitors, conversion, aov, signup, dau_ratio, growth, festival.
# Ordered by who a smaller company keeps first: the planted promotion cases need promotions and
# merchandising, so `--teams 2` is those two. Growth is a yearly gain in level (see natural.py).
ARCHETYPES = (
    Archetype("promotions", "Activities & Promotions", "commerce",
              0.12, 0.055, 140, 0.008, 0.50, 0.06, 1.2),
    Archetype("merchandising", "Merchandising", "commerce",
              0.14, 0.040, 260, 0.004, 0.50, 0.05, 1.1),
    Archetype("user_ops", "User Operations", "growth",
              0.16, 0.022, 120, 0.028, 0.55, 0.12, 0.9),
    Archetype("content_ops", "Content Operations", "growth",
              0.20, 0.025, 150, 0.012, 0.65, 0.14, 0.8),
    Archetype("customer_success", "Customer Success", "service",
              0.08, 0.060, 210, 0.003, 0.70, 0.07, 0.6, campaigns_this_year=False),
)  # fmt: skip
# Organic search and direct traffic: the part of the company no team owns.
ORGANIC = Archetype(UNASSIGNED, "Unassigned", UNASSIGNED, 0.30, 0.028, 170, 0.010, 0.60, 0.06, 1.0)
COMPANY_VISITORS = 2_400_000  # per day at the start of the history

METRICS = pl.DataFrame(
    [
        ("gmv", "GMV", "flow", "CNY", None, None),
        ("orders", "Orders", "flow", "orders", None, None),
        ("visitors", "Visitors", "flow", "visitors", None, None),
        ("new_users", "New users", "flow", "users", None, None),
        ("dau", "Daily active users", "level", "users", None, None),
        ("conversion", "Conversion rate", "ratio", "%", "orders", "visitors"),
        ("aov", "Average order value", "ratio", "CNY", "gmv", "orders"),
    ],
    schema={
        "metric": pl.String,
        "name": pl.String,
        "kind": pl.String,
        "unit": pl.String,
        "numerator": pl.String,
        "denominator": pl.String,
    },
    orient="row",
).with_columns(higher_is_better=pl.lit(True))
STORED_METRICS = ("gmv", "orders", "visitors", "new_users", "dau")


def roster(config: DemoConfig) -> list[tuple[str, str, Archetype]]:
    """The teams as (team id, display name, archetype), `unassigned` last.

    Five teams are the named functions; a larger company repeats them numbered from 2.
    """
    teams = []
    for index in range(config.teams):
        archetype = ARCHETYPES[index % len(ARCHETYPES)]
        copy = index // len(ARCHETYPES) + 1
        if copy == 1:
            teams.append((archetype.key, archetype.name, archetype))
        else:
            teams.append((f"{archetype.key}_{copy}", f"{archetype.name} {copy}", archetype))
    return [*teams, (UNASSIGNED, ORGANIC.name, ORGANIC)]


def teams_frame(config: DemoConfig) -> pl.DataFrame:
    """Columns: team, name, department (the reserved `unassigned` included)."""
    rows = [(team, name, archetype.department) for team, name, archetype in roster(config)]
    return pl.DataFrame(
        rows, schema={"team": pl.String, "name": pl.String, "department": pl.String}, orient="row"
    )


def segments(config: DemoConfig, rng: np.random.Generator) -> pl.DataFrame:
    """Each team's segment parameters, drawn around its archetype.

    Columns: team, archetype, visitors (per day at the start), conversion, aov, signup,
    dau_ratio, growth, growth_late (yearly gains before and after the `knot`, in years into the
    history), festival, weekly, yearly (amplitudes), growth_kind (see GROWTH_KINDS), noise_phi,
    noise_scale (see DemoConfig). Copies of an archetype split its traffic
    share, so the company keeps its size however finely it is cut into teams.
    """
    teams = roster(config)
    kinds = [archetype for _, _, archetype in teams]
    copies = {key: sum(1 for a in kinds if a.key == key) for key in {a.key for a in kinds}}
    n = len(teams)

    def around(values: list[float]) -> np.ndarray:
        return np.asarray(values) * rng.lognormal(0.0, 0.15, size=n)

    growth = np.asarray([a.growth for a in kinds])
    return pl.DataFrame(
        {
            "team": [team for team, _, _ in teams],
            "archetype": [a.key for a in kinds],
            "visitors": around([COMPANY_VISITORS * a.visitors / copies[a.key] for a in kinds]),
            "conversion": around([a.conversion for a in kinds]),
            "aov": around([a.aov for a in kinds]),
            "signup": around([a.signup for a in kinds]),
            # Active users stay a subset of the day's visitors even when a holiday thins visits.
            "dau_ratio": np.minimum(around([a.dau_ratio for a in kinds]), 0.8),
            "growth": growth + rng.normal(0.0, 0.02, size=n),
            "growth_late": growth * rng.uniform(0.7, 1.1, size=n),
            "knot": rng.uniform(0.2, 0.45, size=n) * config.years,
            "festival": np.asarray([a.festival for a in kinds]) * rng.uniform(0.9, 1.1, size=n),
            "weekly": rng.uniform(0.7, 1.3, size=n),
            "yearly": rng.uniform(0.7, 1.3, size=n),
        }
    ).with_columns(_noise_and_growth(config, n))


def _noise_and_growth(config: DemoConfig, n: int) -> list[pl.Series]:
    """Each team's growth kind, noise persistence and noise multiple, from a generator of their
    own so the other parameters of a seed stay as they were before these existed."""
    rng = np.random.default_rng([config.seed, 1])
    kinds = list(GROWTH_KINDS)
    return [
        pl.Series("growth_kind", rng.choice(kinds, size=n, p=list(GROWTH_KINDS.values()))),
        pl.Series("noise_phi", rng.uniform(*config.noise_phi, size=n)),
        pl.Series("noise_scale", rng.uniform(*config.noise_scale, size=n)),
    ]
