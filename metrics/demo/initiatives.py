"""The operations work of the demo company: initiatives and the effects they plant on the series.

Every archetype runs a few campaigns a year from a fixed repertoire, at dates that stay clear of
the market festivals (so a model that masks initiative days can still learn every festival) and
jittered a little by the seed. A few campaigns carry a cooperation problem on purpose:

- a pull-forward: the promotion is followed by an equally long payback dip on the same team;
- a cannibalisation: while the promotion runs, merchandising's sales sit below their natural.

One of each is planted in the current year and one of each in the year before.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

import numpy as np
import polars as pl

from metrics.demo.config import DemoConfig, roster


class EffectKind(StrEnum):
    UPLIFT = "uplift"  # the initiative's own team, during its window
    PULL_FORWARD = "pull_forward"  # the same team, just after the window: the payback dip
    CANNIBALISATION = "cannibalisation"  # another team on the same metric, during the window


@dataclass(frozen=True)
class Campaign:
    """One campaign of an archetype's repertoire; `lifts` scale the target metric's uplift."""

    key: str
    archetype: str
    name: str
    metric: str
    month: int
    day: int
    days: int
    lifts: tuple[tuple[str, float], ...]


REPERTOIRE = (
    Campaign("spring_sale", "promotions", "Spring sale", "gmv", 3, 18, 10,
             (("gmv", 1.0), ("orders", 1.15), ("visitors", 0.35), ("dau", 0.15))),
    Campaign("member_days", "promotions", "Member days", "gmv", 5, 12, 10,
             (("gmv", 1.0), ("orders", 1.1), ("visitors", 0.2))),
    Campaign("summer_clearance", "promotions", "Summer clearance", "orders", 7, 3, 10,
             (("orders", 1.0), ("gmv", 0.8), ("visitors", 0.3))),
    Campaign("back_to_school", "promotions", "Back-to-school sale", "gmv", 8, 22, 10,
             (("gmv", 1.0), ("orders", 1.1), ("visitors", 0.3), ("new_users", 0.3))),
    Campaign("new_arrivals", "merchandising", "Spring new arrivals", "gmv", 4, 15, 12,
             (("gmv", 1.0), ("orders", 0.8), ("visitors", 0.4))),
    Campaign("category_week", "merchandising", "Autumn category week", "gmv", 9, 12, 10,
             (("gmv", 1.0), ("orders", 0.9), ("visitors", 0.3))),
    Campaign("welcome_gift", "user_ops", "New-user welcome gift", "new_users", 3, 8, 14,
             (("new_users", 1.0), ("visitors", 0.2), ("dau", 0.2), ("orders", 0.1), ("gmv", 0.08))),
    Campaign("referral_drive", "user_ops", "Invite-a-friend drive", "new_users", 8, 5, 14,
             (("new_users", 1.0), ("visitors", 0.25), ("dau", 0.2))),
    Campaign("livestream_season", "content_ops", "Spring livestream season", "visitors", 4, 12, 12,
             (("visitors", 1.0), ("dau", 0.7), ("orders", 0.5), ("gmv", 0.5), ("new_users", 0.4))),
    Campaign("creators_programme", "content_ops", "Summer creators programme", "dau", 7, 10, 16,
             (("dau", 1.0), ("visitors", 0.8), ("orders", 0.3), ("gmv", 0.3))),
    Campaign("repeat_reminders", "customer_success", "Repeat-purchase reminders", "orders", 7, 15,
             10, (("orders", 1.0), ("gmv", 0.9), ("dau", 0.3))),
    Campaign("win_back", "customer_success", "Win-back outreach", "orders", 11, 18, 14,
             (("orders", 1.0), ("gmv", 0.9), ("dau", 0.4), ("visitors", 0.3))),
)  # fmt: skip


@dataclass(frozen=True)
class Plant:
    """A cooperation problem planted on a campaign of the first team of its archetype."""

    campaign: str
    kind: EffectKind
    years_back: int  # 0: the current year
    victim: str | None = None  # archetype of the cannibalised team


PLANTS = (
    Plant("spring_sale", EffectKind.PULL_FORWARD, 0),
    Plant("member_days", EffectKind.CANNIBALISATION, 0, victim="merchandising"),
    Plant("summer_clearance", EffectKind.PULL_FORWARD, 1),
    Plant("back_to_school", EffectKind.CANNIBALISATION, 1, victim="merchandising"),
)
# Uplift on the target metric, and the depth of paybacks and cannibalisations (relative, mean).
UPLIFT = (0.12, 0.30)
SETBACK = (0.08, 0.15)
PAYBACK_SHARE = (0.4, 0.7)  # of the promotion's own relative uplift
JITTER_DAYS = 3
PURCHASE_METRICS = ("gmv", "orders")  # what a payback or a cannibalisation takes away
# Within a window: a launch spike that fades; a payback deepest at first, then recovering.
SHAPES = {
    EffectKind.UPLIFT: (1.15, -0.3),
    EffectKind.PULL_FORWARD: (1.5, -1.0),
    EffectKind.CANNIBALISATION: (1.0, 0.0),
}


def plan(config: DemoConfig, rng: np.random.Generator) -> pl.DataFrame:
    """Every team's campaigns, year by year, up to the end of the data.

    Columns: initiative, team, metric, start_day, end_day, name, campaign, year.
    """
    rows = []
    for year in range(config.start.year, config.end.year + 1):
        for team, _, archetype in roster(config)[:-1]:
            if year == config.current_year and not archetype.campaigns_this_year:
                continue
            for c in REPERTOIRE:
                if c.archetype != archetype.key:
                    continue
                shift = int(rng.integers(-JITTER_DAYS, JITTER_DAYS + 1))
                start = dt.date(year, c.month, c.day) + dt.timedelta(days=shift)
                end = start + dt.timedelta(days=c.days + int(rng.integers(-2, 3)) - 1)
                rows.append((f"{year}_{team}_{c.key}", team, c.metric, start, end,
                             f"{c.name} {year}", c.key, year))  # fmt: skip
    schema = {
        "initiative": pl.String,
        "team": pl.String,
        "metric": pl.String,
        "start_day": pl.Date,
        "end_day": pl.Date,
        "name": pl.String,
        "campaign": pl.String,
        "year": pl.Int32,
    }
    return pl.DataFrame(rows, schema=schema, orient="row")


def cases(config: DemoConfig, planned: pl.DataFrame, rng: np.random.Generator) -> pl.DataFrame:
    """Each initiative's uplift, plus the planted paybacks and cannibalisations.

    Columns: initiative, kind, team (whose series moves), acting_team, metric (the initiative's
    target), start_day, end_day, relative_effect (mean relative change of `metric` on those days),
    campaign. Only cases that end by the last day of data are kept, with their initiatives.
    """
    own = planned.select(
        "initiative",
        kind=pl.lit(EffectKind.UPLIFT.value),
        team="team",
        acting_team="team",
        metric="metric",
        start_day="start_day",
        end_day="end_day",
        relative_effect=pl.lit(rng.uniform(*UPLIFT, size=planned.height)),
        campaign="campaign",
    )
    planted = [_planted_case(plant, config, own, rng) for plant in PLANTS]
    every = pl.concat([own, *[case for case in planted if case is not None]])
    late = every.filter(pl.col("end_day") > config.end)["initiative"].unique()
    return every.filter(~pl.col("initiative").is_in(late.implode()))


def _planted_case(
    plant: Plant, config: DemoConfig, own: pl.DataFrame, rng: np.random.Generator
) -> pl.DataFrame | None:
    campaign = next(c for c in REPERTOIRE if c.key == plant.campaign)
    host = own.filter(
        pl.col("campaign") == plant.campaign,
        pl.col("team") == campaign.archetype,
        pl.col("start_day").dt.year() == config.current_year - plant.years_back,
    )
    if host.is_empty():
        return None  # the year is not in the data (--years 1 has no year before last)
    depth = rng.uniform(*SETBACK)
    if plant.kind is EffectKind.CANNIBALISATION:
        return host.with_columns(
            kind=pl.lit(plant.kind.value), team=pl.lit(plant.victim), relative_effect=-depth
        )
    # The payback gives back part of what the promotion pulled forward (so the net is clearly
    # below the window's own uplift), over as many days as the promotion ran, right after it.
    share = rng.uniform(*PAYBACK_SHARE)
    after = pl.col("end_day") + pl.duration(days=1)
    return host.with_columns(
        kind=pl.lit(plant.kind.value),
        start_day=after,
        end_day=after + (pl.col("end_day") - pl.col("start_day")),
        relative_effect=-(pl.col("relative_effect") * share).clip(*SETBACK),
    )


def effects(every: pl.DataFrame, natural: pl.DataFrame) -> pl.DataFrame:
    """The planted effect of every case on every day and metric it touches, in whole units.

    An uplift moves the metrics its campaign lifts (in proportion to its `lifts`); a payback or a
    cannibalisation takes away orders and GMV. Columns: initiative, day, metric, team, effect, kind.
    """
    lifts = pl.DataFrame(
        [(c.key, metric, factor) for c in REPERTOIRE for metric, factor in c.lifts],
        schema={"campaign": pl.String, "metric": pl.String, "factor": pl.Float64},
        orient="row",
    )
    setbacks = pl.DataFrame({"metric": PURCHASE_METRICS, "factor": 1.0})
    shapes = pl.DataFrame(
        [(kind.value, start, slope) for kind, (start, slope) in SHAPES.items()],
        schema={"kind": pl.String, "shape_start": pl.Float64, "shape_slope": pl.Float64},
        orient="row",
    )
    is_uplift = pl.col("kind") == EffectKind.UPLIFT.value
    per_metric = pl.concat(
        [
            every.filter(is_uplift).drop("metric").join(lifts, on="campaign"),
            every.filter(~is_uplift).drop("metric").join(setbacks, how="cross"),
        ]
    )
    length = (pl.col("end_day") - pl.col("start_day")).dt.total_days() + 1
    daily = (
        per_metric.join(shapes, on="kind")
        .with_columns(length=length, offset=pl.int_ranges(0, length))
        .explode("offset")
        .with_columns(day=pl.col("start_day") + pl.duration(days=pl.col("offset")))
        .join(natural, on=["day", "metric", "team"])
    )
    progress = pl.col("offset") / (pl.col("length") - 1).clip(lower_bound=1)
    shape = pl.col("shape_start") + pl.col("shape_slope") * progress
    return daily.select(
        "initiative",
        "day",
        "metric",
        "team",
        effect=(pl.col("value") * pl.col("relative_effect") * pl.col("factor") * shape).round(),
        kind="kind",
    )
