"""What a goal's decomposition reads from the store, and the monthly targets it gives.

The natural baseline (frozen by the forecasting runner), last year's observations and the stored
tactics go in; `metrics.plan.decomposition` does the math; the hand overrides are re-spread around.
"""

from __future__ import annotations

import datetime as dt

import duckdb
import polars as pl

from metrics.forecasts.reads import goal_baseline
from metrics.plan import decomposition as dec
from metrics.plan.goals import Goal, load_tactics
from metrics.store.catalog import Metric, MetricKind, load_metrics
from metrics.store.errors import DataopsError


def compute_targets(
    con: duckdb.DuckDBPyConnection,
    goal: Goal,
    overrides: pl.DataFrame,
    baseline: pl.DataFrame | None,
) -> tuple[pl.DataFrame, list[str]]:
    """The goal's monthly targets (`goals.monthly_targets` columns) and notes for the user.

    `baseline` (goal_baseline columns) defaults to the goal's frozen baseline in the store.
    """
    metric = load_metrics(con)[goal.metric]
    months = dec.goal_months(goal.start_day, goal.end_day)
    baseline = goal_baseline(con, goal.goal) if baseline is None else baseline
    natural, notes = None, []
    if goal.method.needs_baseline:
        if baseline.is_empty():
            raise DataopsError(
                f"method {goal.method} needs the goal's natural baseline and none is frozen. "
                "Fix: <<fit_baseline>>",
                goal=goal.goal,
            )
        natural = dec.monthly_natural(metric, baseline, months)
    elif metric.kind is MetricKind.RATIO:
        natural, notes = _optional_natural(metric, baseline, months)
    inputs: dict[str, pl.DataFrame | None] = {"natural": natural}
    if goal.method is dec.Method.LAST_YEAR:
        inputs["last_year"] = last_year_monthly(con, metric, months, goal.start_day)
    if goal.method is dec.Method.TACTIC:
        inputs["tactics"] = _tactics_for(con, goal, months)
    targets = dec.month_targets(goal.method, metric.kind, goal.target, months, overrides, **inputs)
    if not overrides.is_empty():
        listed = ", ".join(
            f"{m:%Y-%m} = {t:,.6g}" for m, t in overrides.select("month", "target").rows()
        )
        notes.append(
            f"kept {overrides.height} hand override(s) ({listed}); the other months were "
            "re-spread so the months still add up to the target"
        )
    return targets, notes


def _optional_natural(
    metric: Metric, baseline: pl.DataFrame, months: pl.DataFrame
) -> tuple[pl.DataFrame | None, list[str]]:
    """A ratio's months are weighted by the natural denominator when a usable baseline exists."""
    try:
        return (None if baseline.is_empty() else dec.monthly_natural(metric, baseline, months)), []
    except DataopsError as error:
        return None, [f"months weighted by days, not the natural denominator: {error}"]


def _tactics_for(con: duckdb.DuckDBPyConnection, goal: Goal, months: pl.DataFrame) -> pl.DataFrame:
    tactics = load_tactics(con, goal.goal)
    outside = sorted(set(tactics["month"]) - set(months["month"]))
    if outside:
        raise DataopsError(
            f"the stored tactics name months outside the goal period: "
            f"{', '.join(f'{m:%Y-%m}' for m in outside)}. Fix: <<give_tactics>> for the new "
            "period"
        )
    return tactics


def last_year_monthly(
    con: duckdb.DuckDBPyConnection, metric: Metric, months: pl.DataFrame, start: dt.date
) -> pl.DataFrame:
    """Company values one year before each goal month's days. Columns: month, value (goal terms).

    Only months with observations appear; flow totals are scaled to the month's days in the goal.
    """
    end = start + dt.timedelta(days=int(months["days"].sum()) - 1)
    rows = con.sql(
        """
        with period as (
            select unnest(generate_series($start::date, $end::date, interval 1 day))::date as day
        ), company as (
            select day, metric, sum(value) as value from observations
            where list_contains($metrics, metric) group by all
        )
        select date_trunc('month', p.day)::date as month, c.metric,
               count(*) as seen, sum(c.value) as total
        from period p join company c on c.day = (p.day - interval 1 year)::date
        group by all
        """,
        params={"start": start, "end": end, "metrics": list(metric.stored_metrics)},
    ).pl()
    wide = rows.pivot(on="metric", index="month", values=["seen", "total"])
    if wide.is_empty():
        return pl.DataFrame(schema={"month": pl.Date, "value": pl.Float64})
    wide = wide.join(months, on="month")
    if metric.kind is MetricKind.RATIO:
        num, den = metric.stored_metrics
        value = pl.col(f"total_{num}") / pl.col(f"total_{den}")
    else:
        per_day = pl.col(f"total_{metric.metric}") / pl.col(f"seen_{metric.metric}")
        value = per_day * pl.col("days") if metric.kind is MetricKind.FLOW else per_day
    return wide.select("month", value.alias("value")).drop_nulls().sort("month")
