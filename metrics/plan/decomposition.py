"""Goal -> monthly targets: the four decomposition methods, hand overrides, and how months add up.

What "the monthly targets add up to the target" means depends on the metric's kind:

- flow (GMV): the monthly targets are monthly totals and their sum is the target;
- level (DAU): each month's target is an average per day, and the day-weighted mean of the months
  is the target, because the period's average per day weighs every day once;
- ratio (conversion): each month's target is that month's ratio, and their mean weighted by the
  month's natural denominator is the target, because the period's ratio is sum(num) / sum(den) =
  sum(den_m * ratio_m) / sum(den_m). Without a frozen baseline the months are weighted by days.

Every month carries that `weight` (1 for flow), so a month's "mass" is weight * target and the
goal's mass is the target (flow) or target * sum(weight). Methods and overrides only move mass
between months, which is why every path below reproduces the target to float precision.
"""

from __future__ import annotations

import datetime as dt

import polars as pl

from metrics.plan.kinds import Method
from metrics.store.catalog import Metric, MetricKind
from metrics.store.errors import DataopsError

MAX_GOAL_YEARS = 5  # a plan is agreed for a year or a few; 0001-9999 took a minute to save


def period_problem(start: dt.date, end: dt.date) -> str | None:
    """Why start..end cannot be a goal's period (with the fix), or None."""
    if end < start:
        return f"the goal ends ({end}) before it starts ({start}). Fix: swap the dates"
    if (end.year - start.year) * 12 + end.month - start.month >= MAX_GOAL_YEARS * 12:
        return (
            f"the goal's period {start} to {end} is longer than {MAX_GOAL_YEARS} years. Fix: "
            f"agree a goal for at most {MAX_GOAL_YEARS} years (usually one)"
        )
    return None


def goal_months(start: dt.date, end: dt.date) -> pl.DataFrame:
    """Months the period touches. Columns: month (first day), days (days inside the period).
    Refuses a period that ends before it starts or spans more than MAX_GOAL_YEARS, before any
    day of it is built."""
    if problem := period_problem(start, end):
        raise DataopsError(problem)
    days = pl.date_range(start, end, "1d", eager=True).alias("day")
    return (
        days.to_frame()
        .group_by(pl.col("day").dt.truncate("1mo").alias("month"))
        .agg(pl.len().cast(pl.Int64).alias("days"))
        .sort("month")
    )


def with_weights(
    kind: MetricKind, months: pl.DataFrame, natural: pl.DataFrame | None = None
) -> pl.DataFrame:
    """`months` plus `weight`: 1 (flow), days (level), natural denominator (ratio, else days).

    `natural` (month, natural, denominator) is the goal's monthly natural baseline, if frozen.
    """
    if kind is MetricKind.FLOW:
        return months.with_columns(weight=pl.lit(1.0))
    if kind is MetricKind.RATIO and natural is not None:
        joined = months.join(natural.select("month", "denominator"), on="month", how="left")
        return joined.with_columns(weight=pl.col("denominator").cast(pl.Float64)).drop(
            "denominator"
        )
    return months.with_columns(weight=pl.col("days").cast(pl.Float64))


def period_value(kind: MetricKind, monthly: pl.DataFrame, column: str = "target") -> float:
    """The goal-period value of monthly values: their sum (flow) or weighted mean (level, ratio)."""
    mass = (monthly["weight"] * monthly[column]).sum()
    return float(mass if kind is MetricKind.FLOW else mass / monthly["weight"].sum())


def goal_mass(kind: MetricKind, target: float, monthly: pl.DataFrame) -> float:
    """The target expressed as mass (sum of weight * monthly target) over the given months."""
    return target if kind is MetricKind.FLOW else target * float(monthly["weight"].sum())


def decompose(
    method: Method,
    kind: MetricKind,
    target: float,
    months: pl.DataFrame,
    *,
    natural: pl.DataFrame | None = None,
    last_year: pl.DataFrame | None = None,
    tactics: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """Split `target` over `months` (month, days, weight).

    Columns: month, days, weight, method_target.

    `natural` (month, natural) and `last_year` (month, value) hold monthly values in the goal's own
    terms (flow: the month's total; level: average per day; ratio: the month's ratio). `tactics`
    (month, tactic, weight) is the validated tactics table.
    """
    if method is Method.EVEN:
        shape = pl.col("days").cast(pl.Float64) if kind is MetricKind.FLOW else pl.lit(1.0)
        return _scale_shape(kind, target, months.with_columns(shape=shape), "even")
    if method is Method.LAST_YEAR:
        shaped = _join_monthly(months, last_year, "value", "last year's observations")
        return _scale_shape(kind, target, shaped.rename({"value": "shape"}), "last year's shape")
    shaped = _join_monthly(months, natural, "natural", "the natural baseline")
    if method is Method.NATURAL:
        return _scale_shape(kind, target, shaped.rename({"natural": "shape"}), "natural shape")
    return _spread_by_tactics(kind, target, shaped, tactics)


def _join_monthly(
    months: pl.DataFrame, values: pl.DataFrame | None, column: str, what: str
) -> pl.DataFrame:
    joined = months.join(
        values.select("month", column) if values is not None else months.select("month").clear(),
        on="month",
        how="left",
    )
    if column not in joined.columns:
        joined = joined.with_columns(pl.lit(None, pl.Float64).alias(column))
    missing = joined.filter(pl.col(column).is_null())["month"]
    if len(missing):
        listed = ", ".join(month.strftime("%Y-%m") for month in missing)
        raise DataopsError(
            f"{what} has no value for {listed}. Fix: import the missing data "
            "(or <<fit_baseline>>), or <<use_even_method>>"
        )
    return joined.with_columns(pl.col(column).cast(pl.Float64))


def _scale_shape(kind: MetricKind, target: float, shaped: pl.DataFrame, what: str) -> pl.DataFrame:
    """method_target = shape * k, with k chosen so the months reproduce the target exactly."""
    shape_mass = float((shaped["weight"] * shaped["shape"]).sum())
    if shape_mass <= 0:
        raise DataopsError(
            f"the {what} sums to {shape_mass:g} over the goal period, so it cannot be scaled to "
            "the target. Fix: check the metric's data, or <<use_even_method>>"
        )
    scale = goal_mass(kind, target, shaped) / shape_mass
    return _result(shaped.with_columns(method_target=pl.col("shape") * scale))


def _spread_by_tactics(
    kind: MetricKind, target: float, shaped: pl.DataFrame, tactics: pl.DataFrame | None
) -> pl.DataFrame:
    """method_target = natural + the gap's mass spread by each month's summed tactic weight."""
    if tactics is None or tactics.is_empty():
        raise DataopsError("method tactic needs tactic weights. Fix: <<give_tactics>>")
    per_month = tactics.group_by("month").agg(pl.col("weight").sum().alias("tactic_weight"))
    shaped = shaped.join(per_month, on="month", how="left").with_columns(
        pl.col("tactic_weight").fill_null(0.0)
    )
    total_weight = float(shaped["tactic_weight"].sum())
    if total_weight <= 0:
        raise DataopsError(
            "the tactics' weights add up to 0 inside the goal period, so the gap has nowhere "
            "to go. Fix: give at least one month of the goal period a positive weight"
        )
    gap_mass = goal_mass(kind, target, shaped) - float((shaped["weight"] * shaped["natural"]).sum())
    uplift = gap_mass * pl.col("tactic_weight") / total_weight / pl.col("weight")
    return _result(shaped.with_columns(method_target=pl.col("natural") + uplift))


def _result(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.select("month", "days", "weight", "method_target").sort("month")


def apply_overrides(
    kind: MetricKind, target: float, decomposed: pl.DataFrame, overrides: pl.DataFrame
) -> pl.DataFrame:
    """Keep overridden months, re-spread the rest so the months still reproduce the target.

    `decomposed`: month, days, weight, method_target. `overrides`: month, target, note.
    The free months keep their method's shape: each is scaled by the same factor.
    Columns: month, days, weight, target, method_target, overridden, note.
    """
    chosen = overrides.select("month", pl.col("target").alias("override"), "note")
    frame = decomposed.join(chosen, on="month", how="left")
    frame = frame.with_columns(overridden=pl.col("override").is_not_null())
    fixed, free = frame.filter("overridden"), frame.filter(~pl.col("overridden"))
    if fixed.is_empty():
        return frame.with_columns(target=pl.col("method_target")).select(*_TARGET_COLUMNS)
    if free.is_empty():
        raise DataopsError(
            "every month of the goal would be overridden, leaving no month to absorb the "
            "difference to the target. Fix: leave at least one month to the method, or "
            "<<change_target>>"
        )
    left = goal_mass(kind, target, frame) - float((fixed["weight"] * fixed["override"]).sum())
    free_mass = float((free["weight"] * free["method_target"]).sum())
    if free_mass <= 0 or left < 0:
        raise DataopsError(
            f"the overridden months already take {goal_mass(kind, target, frame) - left:,.6g} of "
            f"the goal's {goal_mass(kind, target, frame):,.6g}, leaving {left:,.6g} for the other "
            "months. Fix: lower an override, or raise the target"
        )
    scale = left / free_mass
    return frame.with_columns(
        target=pl.when("overridden")
        .then(pl.col("override"))
        .otherwise(pl.col("method_target") * scale),
    ).select(*_TARGET_COLUMNS)


_TARGET_COLUMNS = ("month", "days", "weight", "target", "method_target", "overridden", "note")


def month_targets(
    method: Method,
    kind: MetricKind,
    target: float,
    months: pl.DataFrame,
    overrides: pl.DataFrame,
    *,
    natural: pl.DataFrame | None = None,
    last_year: pl.DataFrame | None = None,
    tactics: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """The goal's monthly targets: the method's split of `target` over `months` (weighted by
    the natural denominator for ratios when `natural` is given), re-spread around the hand-set
    `overrides` (month, target, note). The one rule the Goals page's preview and every save use.
    """
    weighted = with_weights(kind, months, natural)
    split = decompose(
        method, kind, target, weighted, natural=natural, last_year=last_year, tactics=tactics
    )
    return apply_overrides(kind, target, split, overrides)


def monthly_natural(metric: Metric, baseline: pl.DataFrame, months: pl.DataFrame) -> pl.DataFrame:
    """Company natural per month from a goal baseline (day, metric, team, yhat, ...).

    Columns: month, natural (in the goal's terms), denominator (the ratio's natural denominator,
    else null). Refuses a baseline that misses days of the goal period.
    """
    daily = baseline.group_by("day", "metric").agg(pl.col("yhat").sum())
    wide = daily.pivot(on="metric", index="day", values="yhat")
    needed = list(metric.stored_metrics)
    missing = [name for name in needed if name not in wide.columns]
    if missing:
        raise DataopsError(
            f"the natural baseline has no forecast of {', '.join(missing)}. Fix: <<refit_baseline>>"
        )
    per_month = wide.group_by(pl.col("day").dt.truncate("1mo").alias("month")).agg(
        pl.len().alias("covered"), *(pl.col(name).sum() for name in needed)
    )
    joined = months.join(per_month, on="month", how="left")
    short = joined.filter(pl.col("covered").fill_null(0) < pl.col("days"))["month"]
    if len(short):
        raise DataopsError(
            "the natural baseline does not cover every day of "
            f"{', '.join(m.strftime('%Y-%m') for m in short)}. Fix: <<refit_for_period>>"
        )
    if metric.kind is MetricKind.RATIO:
        num, den = needed
        natural, denominator = pl.col(num) / pl.col(den), pl.col(den)
    elif metric.kind is MetricKind.LEVEL:
        natural, denominator = pl.col(metric.metric) / pl.col("days"), pl.lit(None, pl.Float64)
    else:
        natural, denominator = pl.col(metric.metric), pl.lit(None, pl.Float64)
    return joined.select(
        "month", natural.alias("natural"), denominator.cast(pl.Float64).alias("denominator")
    ).sort("month")
