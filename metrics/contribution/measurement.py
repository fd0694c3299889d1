"""Contribution above natural growth: each team's uplift, rolled up to departments and company.

A window (the goal period to date, or one month of it) is measured from two inputs:

- `sums`: metric, team, actual, natural - window sums per stored metric and team, where
  `natural` is the frozen baseline's point forecast (yhat) summed over the window;
- `samples`: metric, team, sample, value - the same window summed over each sampled natural path.

Every team becomes a set of "draws": draw 0 against the point baseline, draw s >= 1 against
sampled path s. Uplift intervals are quantiles over the sampled draws, so the uncertainty of a
sum comes from whole paths rather than from adding up daily bounds (which would overstate it).

Values by metric kind: flow = the window's total; level = the average per day (so a team's
level is its share of the company's daily average); ratio = Σ numerator / Σ denominator, with
team contributions as Shapley values (see `shapley`). In every kind the team uplifts,
`unassigned` included, add up to the company's uplift.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from metrics.contribution.shapley import RatioGame, shapley_values
from metrics.stats import INTERVAL_WIDTH, interval_bounds
from metrics.store.catalog import Metric, MetricKind
from metrics.store.errors import DataopsError

DRAW_PERMUTATIONS = 200  # per sampled draw, beyond EXACT_MAX_PLAYERS teams
COMPANY = "company"
_SUMMED = ("num_actual", "num_natural", "den_actual", "den_natural", "uplift")


@dataclass(frozen=True)
class Roles:
    """Which stored metric plays numerator and denominator (flow/level: the metric, none)."""

    numerator: str
    denominator: str | None

    @classmethod
    def of(cls, metric: Metric) -> Roles:
        if metric.kind is MetricKind.RATIO:
            assert metric.numerator and metric.denominator
            return cls(metric.numerator, metric.denominator)
        return cls(metric.metric, None)


def team_draws(
    metric: Metric, sums: pl.DataFrame, samples: pl.DataFrame, *, days: int, seed: int = 0
) -> pl.DataFrame:
    """Per team and draw the quantities every rollup is built from.

    Columns: team, draw, num_actual, num_natural, den_actual, den_natural, uplift. For flow and
    level metrics den_* are 1.0 and num_* already carry the kind's unit (level: per day).
    """
    roles = Roles.of(metric)
    draw = pl.col("sample").cast(pl.Int64)
    natural = pl.concat(
        [
            sums.select("metric", "team", "natural", sample=pl.lit(0, pl.Int64)),
            samples.select("metric", "team", natural="value", sample=draw + 1),
        ]
    ).rename({"natural": "value"})
    frame = by_role(natural, roles, "natural").join(
        by_role(sums.select("metric", "team", value="actual"), roles, "actual"), on="team"
    )
    if metric.kind is MetricKind.LEVEL:
        frame = frame.with_columns(pl.col("num_actual", "num_natural") / days)
    frame = frame.rename({"sample": "draw"}).sort("draw", "team")
    if metric.kind is MetricKind.RATIO:
        return _with_shapley(frame, seed)
    return frame.with_columns(uplift=pl.col("num_actual") - pl.col("num_natural"))


def by_role(frame: pl.DataFrame, roles: Roles, suffix: str) -> pl.DataFrame:
    """metric, value and key columns -> the keys, num_<suffix>, den_<suffix> (1.0 unless ratio)."""
    keys = [c for c in frame.columns if c not in ("metric", "value")]
    num = frame.filter(metric=roles.numerator).select(*keys, pl.col("value").alias(f"num_{suffix}"))
    if roles.denominator is None:
        return num.with_columns(pl.lit(1.0).alias(f"den_{suffix}"))
    den = frame.filter(metric=roles.denominator).select(
        *keys, pl.col("value").alias(f"den_{suffix}")
    )
    return num.join(den, on=keys)  # a draw missing for one of them cannot be paired


def _with_shapley(frame: pl.DataFrame, seed: int) -> pl.DataFrame:
    teams = frame["team"].n_unique()
    # a draw is usable only when every team has it: Shapley needs the whole company at once
    complete = frame.group_by("draw").agg(pl.len()).filter(pl.col("len") == teams)
    frame = frame.join(complete.select("draw"), on="draw").sort("draw", "team")

    def matrix(column: str) -> np.ndarray:
        return frame[column].to_numpy().astype(float).reshape(-1, teams)

    columns = ("num_actual", "den_actual", "num_natural", "den_natural")
    game = RatioGame(*(matrix(c) for c in columns))
    point, _ = shapley_values(game.rows(slice(0, 1)), seed=seed)
    # the interval needs each draw's split only roughly: fewer permutations, still exactly
    # efficient, so every draw's team values still add up to that draw's company uplift
    spread, _ = shapley_values(game.rows(slice(1, None)), seed=seed, permutations=DRAW_PERMUTATIONS)
    return frame.with_columns(uplift=pl.Series(np.vstack([point, spread]).reshape(-1)))


def summarise(
    draws: pl.DataFrame, groups: pl.DataFrame, kind: MetricKind, *, width: float = INTERVAL_WIDTH
) -> pl.DataFrame:
    """Roll team draws up to `groups` (team, group) and summarise the draws.

    Columns: group, actual, natural, uplift, uplift_lower, uplift_upper, distinguishable
    (False when the interval contains 0; null when the baseline has no sampled paths).
    """
    rolled = draws.join(groups, on="team").group_by("group", "draw").agg(pl.col(_SUMMED).sum())
    value = _value_expr(kind)
    point = rolled.filter(draw=0).select(
        "group",
        actual=value("actual"),
        natural=value("natural"),
        uplift="uplift",
    )
    low, high = interval_bounds(width)
    spread = (
        rolled.filter(pl.col("draw") > 0)
        .group_by("group")
        .agg(
            uplift_lower=pl.col("uplift").quantile(low, interpolation="linear"),
            uplift_upper=pl.col("uplift").quantile(high, interpolation="linear"),
        )
    )
    return (
        point.join(spread, on="group", how="left")
        .with_columns(
            distinguishable=(pl.col("uplift_lower") > 0) | (pl.col("uplift_upper") < 0),
        )
        .sort("group")
    )


def _value_expr(kind: MetricKind):
    if kind is MetricKind.RATIO:
        return lambda side: pl.col(f"num_{side}") / pl.col(f"den_{side}")
    return lambda side: pl.col(f"num_{side}")


def with_shares(frame: pl.DataFrame, company_uplift: float, gap: float | None) -> pl.DataFrame:
    """Add share_of_uplift (of the company's uplift) and share_of_gap (of the gap due so far).

    A share is null when its denominator is zero or unknown: "no share" is not 0%.
    """

    def share(total: float | None) -> pl.Expr:
        if total is None or total == 0 or not np.isfinite(total):
            return pl.lit(None, dtype=pl.Float64)
        return pl.col("uplift") / total

    return frame.with_columns(share_of_uplift=share(company_uplift), share_of_gap=share(gap))


def group_maps(teams: pl.DataFrame) -> dict[str, pl.DataFrame]:
    """team, group frames for the three levels, from teams: team, department."""
    return {
        "team": teams.select("team", group="team"),
        "department": teams.select("team", group="department"),
        COMPANY: teams.select("team", group=pl.lit(COMPANY)),
    }


def require_complete(sums: pl.DataFrame, roles: Roles, teams: list[str]) -> None:
    """Refuse to measure when a team's series has no baseline: the parts would not add up."""
    needed = {roles.numerator, roles.denominator} - {None}
    have = set(sums.filter(pl.col("natural").is_not_null()).select("metric", "team").iter_rows())
    missing = sorted((m, t) for m in needed for t in teams if (m, t) not in have)
    if missing:
        shown = ", ".join(f"{m}/{t}" for m, t in missing[:10])
        raise DataopsError(
            f"the goal's frozen baseline has no natural forecast for {len(missing)} series "
            f"({shown}); team uplifts would not add up to the company's. Fix: <<refit_baseline>> "
            "so every series of the goal is fitted"
        )
