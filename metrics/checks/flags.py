"""Cooperation checks: pull-forwards, cannibalisations and local wins that are global losses.

A window counts as above (below) its baseline only when both hold:

- its actual sum lies outside the baseline's interval for that sum (quantiles of the sampled
  paths summed over exactly the window's days), and
- it is further from the point baseline than WOBBLE_Z robust standard deviations of the same
  series' own L-day wobble on its quiet days (`metrics.checks.wobble`).

The first is what the baseline promises; the second guards against a baseline whose interval is
too narrow or biased for this series, so a team whose series only wobbles is never flagged.
Amounts are measured the same way: against the baseline, less the series' usual offset from it
on quiet days (a baseline 3% high all year would otherwise add 3% to every harm).

When a team's own payback days and another team's campaign fall on the same days, those days
are left out of both checks: one series cannot tell which of the two caused the dip, and a team
is never to be blamed for a pull-forward it did not do. Several campaigns flagged for one dip
share it by regression (`metrics.checks.blame`); campaigns on exactly the same days share it evenly.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from enum import StrEnum

import polars as pl

from metrics.checks.blame import apportion
from metrics.checks.windows import Schedule, excused_paybacks, own_probes, runs, victim_probes
from metrics.checks.wobble import WOBBLE_Z, Wobble, busy_days
from metrics.stats import interval_bounds

# A payback is a pull-forward only when, per day, it gives back a material part of what the
# window gained per day (so a payback half hidden under other campaigns still counts in full).
# On 7 unseen demo companies the planted paybacks gave back 0.39-0.65 of the daily gain; the one
# false alarm, a quiet week after a yearly campaign where the baseline runs 3% high (those weeks
# are masked every year, so the model knows them least), gave back 0.24.
MIN_PAYBACK_SHARE = 0.3


class FlagKind(StrEnum):
    PULL_FORWARD = "pull_forward"
    CANNIBALISATION = "cannibalisation"
    LOCAL_WIN_GLOBAL_LOSS = "local_win_global_loss"


FLAG_SCHEMA = {
    "kind": pl.String,
    "team": pl.String,
    "other_team": pl.String,
    "initiative": pl.String,
    "metric": pl.String,
    "start_day": pl.Date,
    "end_day": pl.Date,
    "amount": pl.Float64,
    "detail": pl.String,
}


# bounds(spans, low, high) -> probe, natural_lower, natural_upper. `spans` (probe, metric, team,
# start_day, end_day) are a probe's days as contiguous runs; the bounds are the `low` and `high`
# quantiles, over the baseline's sampled paths, of the natural total over all of those days.
Bounds = Callable[[pl.DataFrame, float, float], pl.DataFrame]


def cooperation_flags(
    daily: pl.DataFrame,
    initiatives: pl.DataFrame,
    start: dt.date,
    as_of: dt.date,
    bounds: Bounds,
) -> pl.DataFrame:
    """Pull-forward and cannibalisation flags on the measured series.

    `daily`: day, metric, team, actual, natural over [start, as_of]. `initiatives`: initiative,
    team, start_day, end_day (every team's, whatever metric it aims at: a campaign moves more
    than its own metric). `bounds`: see `Bounds`. Returns FLAG_SCHEMA columns.
    """
    series = daily.select("metric", "team").unique().sort("metric", "team")
    schedule = Schedule.of(initiatives, start, as_of)
    if not schedule.running():
        return empty_flags()
    residual = daily.select("day", "metric", "team", residual=pl.col("actual") - pl.col("natural"))
    wobble = Wobble(residual, busy_days(initiatives))
    low, high = interval_bounds()

    def measure(probes: pl.DataFrame, probe_days: pl.DataFrame) -> pl.DataFrame:
        scales = wobble.frame(probe_days.group_by("probe").len()["len"])
        moved = probe_moves(probes, probe_days, daily, scales)
        # Only a probe that moved beyond its wobble can be flagged, so only those need the
        # sampled paths' interval: with 100 teams that is a few dozen probes, not 20,000.
        unusual = moved.filter(pl.col("unusual").abs() > WOBBLE_Z * pl.col("scale"))["probe"]
        spans = runs(probe_days.filter(pl.col("probe").is_in(unusual.implode()))).join(
            probes.select("probe", "metric", team="series_team"), on="probe"
        )
        return with_bounds(moved, bounds(spans, low, high))

    own = measure(*own_probes(schedule, series))
    excused = excused_paybacks(schedule, own, series)
    victims = measure(*victim_probes(schedule, series, excused, first=own.height))
    results = pl.concat([own, victims], how="diagonal_relaxed")
    blamed = apportion(cannibalisations(results), schedule, residual, wobble, excused)
    flags = pl.concat([pull_forwards(results), blamed])
    return flags.sort("start_day", "kind", "team", "other_team", "metric", nulls_last=True)


def probe_moves(
    probes: pl.DataFrame,
    probe_days: pl.DataFrame,
    daily: pl.DataFrame,
    scales: pl.DataFrame,
) -> pl.DataFrame:
    """How far every probe moved from its baseline, before any interval is looked at.

    `daily`: day, metric, team, actual, natural. `scales`: metric, team, length, scale. Returns
    the probe columns plus start_day, end_day, days, actual, natural, excess (actual - natural),
    center, scale, unusual (excess - center: the move beyond how the series usually sits against
    its baseline).
    """
    sums = (
        probe_days.join(probes.select("probe", "metric", "series_team"), on="probe")
        .join(daily, left_on=["day", "metric", "series_team"], right_on=["day", "metric", "team"])
        .group_by("probe")
        .agg(
            start_day=pl.col("day").min(),
            end_day=pl.col("day").max(),
            days=pl.len().cast(pl.Int64),
            actual=pl.col("actual").sum(),
            natural=pl.col("natural").sum(),
        )
    )
    return (
        probes.join(sums, on="probe")
        .join(
            scales,
            left_on=["metric", "series_team", "days"],
            right_on=["metric", "team", "length"],
            how="left",
        )
        .with_columns(excess=pl.col("actual") - pl.col("natural"))
        .with_columns(unusual=pl.col("excess") - pl.col("center"))
    )


def with_bounds(moved: pl.DataFrame, bounds: pl.DataFrame) -> pl.DataFrame:
    """`moved` (see `probe_moves`) judged against the interval of its natural total.

    `bounds`: probe, natural_lower, natural_upper (probes without bounds are never above or
    below). Adds natural_lower, natural_upper, above and below: outside the interval AND beyond
    the series' own wobble, in that direction.
    """
    noise = WOBBLE_Z * pl.col("scale")
    return (
        moved.join(bounds, on="probe", how="left")
        .with_columns(
            above=(pl.col("actual") > pl.col("natural_upper")) & (pl.col("unusual") > noise),
            below=(pl.col("actual") < pl.col("natural_lower")) & (-pl.col("unusual") > noise),
        )
        .with_columns(pl.col("above", "below").fill_null(False))
        .sort("probe")
    )


def pull_forwards(results: pl.DataFrame) -> pl.DataFrame:
    """An initiative whose own series gave back clearly after it ran, having gained while it ran:
    the payback days sit below the baseline's interval, beyond the series' wobble, and give back
    per day at least MIN_PAYBACK_SHARE of what the window gained per day.

    Returns FLAG_SCHEMA columns; amount = how far the payback days fell below natural
    (beyond the series' usual offset).
    """
    window = results.filter(role="window").select(
        "initiative", "metric", "team", start_day="start_day", gained="unusual", ran="days"
    )
    payback = results.filter(role="payback", below=True).select(
        "initiative", "metric", end_day="end_day", lost=-pl.col("unusual"), back="days"
    )
    daily_loss, daily_gain = pl.col("lost") / pl.col("back"), pl.col("gained") / pl.col("ran")
    found = window.join(payback, on=["initiative", "metric"]).filter(
        pl.col("gained") > 0, daily_loss >= MIN_PAYBACK_SHARE * daily_gain
    )
    return found.select(
        kind=pl.lit(FlagKind.PULL_FORWARD.value),
        team="team",
        other_team=pl.lit(None, pl.String),
        initiative="initiative",
        metric="metric",
        start_day="start_day",
        end_day="end_day",
        amount="lost",
        detail=pl.format(
            "{} above natural over {} days, then {} below it over the {} days after: "
            "net {} (demand pulled forward, not added)",
            _num("gained"),
            "ran",
            _num("lost"),
            "back",
            _num(pl.col("gained") - pl.col("lost")),
        ),
    ).cast(FLAG_SCHEMA)


def cannibalisations(results: pl.DataFrame) -> pl.DataFrame:
    """Another team clearly below its baseline while an initiative ran and its team was above.

    Returns FLAG_SCHEMA columns; team = the initiative's team, other_team = the team below,
    amount = how far the other team fell below natural over those days (beyond its usual offset).
    """
    actor = results.filter(role="window", above=True).select(
        "initiative", "metric", "team", gained="unusual"
    )
    victim = results.filter(role="victim", below=True).select(
        "initiative",
        "metric",
        "start_day",
        "end_day",
        "days",
        other_team="series_team",
        lost=-pl.col("unusual"),
    )
    found = actor.join(victim, on=["initiative", "metric"])
    return found.select(
        kind=pl.lit(FlagKind.CANNIBALISATION.value),
        team="team",
        other_team="other_team",
        initiative="initiative",
        metric="metric",
        start_day="start_day",
        end_day="end_day",
        amount="lost",
        detail=pl.format(
            "while {} ran ({} days), {} was {} above natural and {} was {} below it",
            "initiative",
            "days",
            "team",
            _num("gained"),
            "other_team",
            _num("lost"),
        ),
    ).cast(FLAG_SCHEMA)


def local_wins_global_losses(teams: pl.DataFrame, *, on_track: float) -> pl.DataFrame:
    """A team on pace for its own indicator while it adds nothing to the company goal.

    `teams`: team, metric (the goal's), indicator, indicator_pace, contribution (to the company
    goal, net of what the team's initiatives took from other teams), start_day, end_day.
    Returns FLAG_SCHEMA columns; amount = the net contribution (zero or negative).
    """
    found = teams.filter((pl.col("indicator_pace") >= on_track) & (pl.col("contribution") <= 0))
    return found.select(
        kind=pl.lit(FlagKind.LOCAL_WIN_GLOBAL_LOSS.value),
        team="team",
        other_team=pl.lit(None, pl.String),
        initiative=pl.lit(None, pl.String),
        metric="metric",
        start_day="start_day",
        end_day="end_day",
        amount="contribution",
        detail=pl.format(
            "on pace for its own indicator {} ({}% of target to date) while its net "
            "contribution to the company goal is {}",
            "indicator",
            (pl.col("indicator_pace") * 100).round(0).cast(pl.Int64),
            _num("contribution"),
        ),
    ).cast(FLAG_SCHEMA)


def _num(expr: str | pl.Expr) -> pl.Expr:
    """A number as text with 3 significant figures, whatever its scale (GMV or a ratio)."""
    value = pl.col(expr) if isinstance(expr, str) else expr
    return value.map_elements(lambda x: f"{x:,.3g}" if abs(x) < 1e3 else f"{x:,.0f}", pl.String)


def empty_flags() -> pl.DataFrame:
    return pl.DataFrame(schema=FLAG_SCHEMA)
