"""Pacing and landing: where the goal stands to date, and where it is heading.

Company quantities come as a daily frame `day, num_actual, num_natural, den_actual, den_natural`
(flow and level: the metric itself in num_*, den_* = 1.0; ratio: numerator and denominator),
with num_actual null after the as-of day.

- Target to date: a flow month's target is spread over its days by the natural baseline's
  shape (so a festival week owes more than a quiet one); a level month's target is a daily
  average; ratio months are weighted by their natural denominator, as in the decomposition.
- Landing = actual to date + natural forecast for the rest. Its interval and the probability of
  reaching the target come from the baseline's sampled paths over the rest of the period. The
  current uplift run-rate (uplift per day over the last RUN_RATE_DAYS days) is reported beside
  it and only enters the separately labelled `value_with_run_rate` / `probability_with_run_rate`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from metrics.plan.goals import Status, StatusThresholds
from metrics.stats import interval_bounds
from metrics.store.catalog import MetricKind

RUN_RATE_DAYS = 28


def status_of(pace: float | None, thresholds: StatusThresholds) -> Status | None:
    """Status from pace; None when pace is undefined (no target to date yet)."""
    if pace is None or not np.isfinite(pace):
        return None
    return thresholds.status(pace)


def pace_of(actual: float | None, target: float | None, higher_is_better: bool) -> float | None:
    """actual / target (target / actual when lower is better); None when undefined."""
    if actual is None or target is None:
        return None
    top, bottom = (actual, target) if higher_is_better else (target, actual)
    return top / bottom if bottom > 0 and top >= 0 else None


def daily_targets(kind: MetricKind, months: pl.DataFrame, daily: pl.DataFrame) -> pl.DataFrame:
    """Each day's share of its month's target.

    `months`: month (first day), target. `daily`: day, num_natural, den_natural.
    Returns day, target, weight: the target to date is Σ target (flow) or
    Σ weight * target / Σ weight (level: weight 1; ratio: the natural denominator).
    """
    frame = daily.with_columns(month=pl.col("day").dt.truncate("1mo")).join(
        months.select("month", month_target="target"), on="month", how="left"
    )
    if kind is MetricKind.FLOW:
        share = pl.col("num_natural") / pl.col("num_natural").sum().over("month")
        even = 1 / pl.len().over("month")
        shape = pl.when(pl.col("num_natural").sum().over("month") > 0).then(share).otherwise(even)
        return frame.select("day", target=pl.col("month_target") * shape, weight=pl.lit(1.0))
    weight = pl.col("den_natural") if kind is MetricKind.RATIO else pl.lit(1.0)
    return frame.select("day", target="month_target", weight=weight)


def cumulative(kind: MetricKind, daily: pl.DataFrame, higher_is_better: bool) -> pl.DataFrame:
    """Running totals from the first day of the goal.

    `daily`: day, num_actual, num_natural, den_actual, den_natural, target, weight.
    Returns day, actual_to_date, natural_to_date, target_to_date, pace (null after the last
    actual day).
    """
    c = pl.col
    frame = daily.sort("day").with_columns(n=pl.int_range(1, pl.len() + 1))
    if kind is MetricKind.FLOW:
        actual, natural = c("num_actual").cum_sum(), c("num_natural").cum_sum()
        target = c("target").cum_sum()
    elif kind is MetricKind.LEVEL:
        actual, natural = c("num_actual").cum_sum() / c("n"), c("num_natural").cum_sum() / c("n")
        target = c("target").cum_sum() / c("n")
    else:
        actual = c("num_actual").cum_sum() / c("den_actual").cum_sum()
        natural = c("num_natural").cum_sum() / c("den_natural").cum_sum()
        target = (c("target") * c("weight")).cum_sum() / c("weight").cum_sum()
    out = frame.select(
        "day",
        actual_to_date=pl.when(c("num_actual").is_not_null()).then(actual),
        natural_to_date=natural,
        target_to_date=target,
    )
    top, bottom = ("actual_to_date", "target_to_date")[:: 1 if higher_is_better else -1]
    ok = (c(bottom) > 0) & (c(top) >= 0)
    return out.with_columns(pace=pl.when(ok).then(c(top) / c(bottom)))


@dataclass(frozen=True)
class Landing:
    """Projected value of the goal metric over the whole period (the target's own terms)."""

    value: float
    lower: float | None
    upper: float | None
    probability: float | None  # of reaching the target, from the natural baseline's samples
    run_rate: float  # what the current uplift run-rate would add to `value` by the end
    value_with_run_rate: float
    probability_with_run_rate: float | None


@dataclass(frozen=True)
class LandingInputs:
    """Sums the landing needs; num/den as in the module docstring."""

    kind: MetricKind
    target: float
    higher_is_better: bool
    total_days: int
    remaining_days: int
    to_date: tuple[float, float]  # actual (num, den) from the start to the as-of day
    rest: tuple[float, float]  # natural (num, den) point forecast after the as-of day
    rest_samples: pl.DataFrame  # sample, num, den: natural sums after the as-of day per path
    run_rate_per_day: tuple[float, float]  # recent uplift per day (num, den)


def landing(inputs: LandingInputs) -> Landing:
    """Project the landing with its interval and the probability of reaching the target."""
    (a_num, a_den), (n_num, n_den) = inputs.to_date, inputs.rest
    shift = tuple(rate * inputs.remaining_days for rate in inputs.run_rate_per_day)
    value = _value(inputs, a_num + n_num, a_den + n_den)
    with_rate = _value(inputs, a_num + n_num + shift[0], a_den + n_den + shift[1])
    samples = inputs.rest_samples
    if inputs.remaining_days == 0:
        samples = pl.DataFrame({"sample": [0], "num": [0.0], "den": [0.0]})
    if samples.is_empty():
        return Landing(value, None, None, None, with_rate - value, with_rate, None)
    draws = _value(inputs, a_num + samples["num"].to_numpy(), a_den + samples["den"].to_numpy())
    shifted = _value(
        inputs,
        a_num + samples["num"].to_numpy() + shift[0],
        a_den + samples["den"].to_numpy() + shift[1],
    )
    low, high = np.quantile(draws, interval_bounds())
    return Landing(
        value=value,
        lower=float(low),
        upper=float(high),
        probability=_reach(inputs, draws),
        run_rate=with_rate - value,
        value_with_run_rate=with_rate,
        probability_with_run_rate=_reach(inputs, shifted),
    )


def _value(inputs: LandingInputs, num, den):
    if inputs.kind is MetricKind.FLOW:
        return num
    if inputs.kind is MetricKind.LEVEL:
        return num / inputs.total_days
    return num / den


def _reach(inputs: LandingInputs, draws: np.ndarray) -> float:
    hit = draws >= inputs.target if inputs.higher_is_better else draws <= inputs.target
    return float(np.mean(hit))


def run_rate_per_day(daily: pl.DataFrame, days: int = RUN_RATE_DAYS) -> tuple[float, float]:
    """Uplift per day (num, den) over the last `days` days with actuals in `daily`."""
    recent = daily.filter(pl.col("num_actual").is_not_null()).sort("day").tail(days)
    if recent.is_empty():
        return (0.0, 0.0)
    num = (recent["num_actual"] - recent["num_natural"]).mean()
    den = (recent["den_actual"] - recent["den_natural"]).mean()
    return (float(num or 0.0), float(den or 0.0))


def shares_by_day(phases: pl.DataFrame, assignments: pl.DataFrame, days: pl.Series) -> pl.DataFrame:
    """Each team's share of the gap on each day, from the phase that covers the day.

    `phases`: phase, start_month, end_month (first days of months). `assignments`: phase, team,
    share. Returns day, team, share (days outside every phase have no rows: no team owes them).
    """
    month = days.to_frame("day").with_columns(month=pl.col("day").dt.truncate("1mo"))
    covered = month.join_where(
        phases.select("phase", "start_month", "end_month"),
        pl.col("month") >= pl.col("start_month"),
        pl.col("month") <= pl.col("end_month"),
    )
    return covered.join(assignments.select("phase", "team", "share"), on="phase").select(
        "day", "team", "share"
    )


def team_target_mass(
    team_natural: pl.DataFrame, company: pl.DataFrame, shares: pl.DataFrame
) -> pl.DataFrame:
    """Each team's daily target as numerator and denominator "mass", so windows and groups sum.

    A team owes its natural plus its share of the day's gap; for a ratio goal the gap is a
    numerator mass (target ratio x natural denominator - natural numerator), which is the same
    rule as `metrics.plan.phase_math`: the team's ratio must rise by share x gap x company
    denominator / team denominator. `team_natural`: day, team, num_natural, den_natural.
    `company`: day, target, weight, num_natural (as from `daily_targets` plus the company's
    natural). `shares`: day, team, share. Returns day, team, target_num, target_den; a window's
    target is Σ target_num (flow), Σ target_num / days (level) or Σ target_num / Σ target_den.
    """
    gap = company.select("day", gap=pl.col("target") * pl.col("weight") - pl.col("num_natural"))
    # no share: the team owes nothing extra; no company target that day: its target is unknown
    owed = pl.col("share").fill_null(0.0) * pl.col("gap")
    return (
        team_natural.join(gap, on="day", how="left")
        .join(shares, on=["day", "team"], how="left")
        .select("day", "team", target_num=pl.col("num_natural") + owed, target_den="den_natural")
    )
