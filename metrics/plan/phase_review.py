"""Phases against the store: each team's phase targets, each phase's standing, and the re-spread
of an ended phase's shortfall (by choice, recorded in goal_changes)."""

from __future__ import annotations

import duckdb
import polars as pl

from metrics.forecasts.reads import goal_baseline
from metrics.plan import phase_math
from metrics.plan.goals import load_goal, monthly_targets
from metrics.plan.months import write_targets_with_history
from metrics.plan.phases import load_assignments, load_phases
from metrics.store.catalog import MetricKind, load_metrics

TEAM_TARGET_SCHEMA = {
    "phase": pl.String,
    "team": pl.String,
    "indicator": pl.String,
    "share": pl.Float64,
    "natural": pl.Float64,
    "gap": pl.Float64,
    "target": pl.Float64,
    "uplift": pl.Float64,
    "indicator_natural": pl.Float64,
    "indicator_target": pl.Float64,
}


def load_team_phase_targets(con: duckdb.DuckDBPyConnection, goal_id: str) -> pl.DataFrame:
    """`phase_math.team_phase_targets` for a stored goal; empty (same columns) while the goal has
    no monthly targets, phases, assignments or frozen baseline yet."""
    goal = load_goal(con, goal_id)
    targets, phases = monthly_targets(con, goal_id), load_phases(con, goal_id)
    assignments, baseline = load_assignments(con, goal_id), goal_baseline(con, goal_id)
    if any(frame.is_empty() for frame in (targets, phases, assignments, baseline)):
        return pl.DataFrame(schema=TEAM_TARGET_SCHEMA)
    catalogue = load_metrics(con)
    return phase_math.team_phase_targets(
        targets,
        phase_math.natural_by_team_month(baseline),
        phases,
        assignments,
        metric=catalogue[goal.metric],
        catalogue=catalogue,
    )


def monthly_actuals(con: duckdb.DuckDBPyConnection, goal_id: str) -> pl.DataFrame:
    """Company actuals per goal month. Columns: month, actual (goal terms), complete (every day of
    the month inside the goal period has data)."""
    goal = load_goal(con, goal_id)
    metric = load_metrics(con)[goal.metric]
    daily = con.sql(
        "select day, metric, sum(value) as value from observations"
        " where list_contains($metrics, metric) and day between $start and $end group by all",
        params={
            "metrics": list(metric.stored_metrics),
            "start": goal.start_day,
            "end": goal.end_day,
        },
    ).pl()
    targets = monthly_targets(con, goal_id).select("month", "days")
    schema = {"month": pl.Date, "actual": pl.Float64, "complete": pl.Boolean}
    if daily.is_empty():
        return pl.DataFrame(schema=schema)
    wide = daily.pivot(on="metric", index="day", values="value").drop_nulls()
    sums = wide.group_by(pl.col("day").dt.truncate("1mo").alias("month")).agg(
        pl.len().alias("seen"), *(pl.col(name).sum() for name in metric.stored_metrics)
    )
    if metric.kind is MetricKind.RATIO:
        num, den = metric.stored_metrics
        actual = pl.col(num) / pl.col(den)
    else:
        per = pl.col("seen") if metric.kind is MetricKind.LEVEL else pl.lit(1.0)
        actual = pl.col(metric.metric) / per
    return (
        sums.join(targets, on="month")
        .select("month", actual.alias("actual"), complete=pl.col("seen") >= pl.col("days"))
        .sort("month")
        .cast(schema)  # type: ignore[arg-type]
    )


def load_phase_shortfalls(con: duckdb.DuckDBPyConnection, goal_id: str) -> pl.DataFrame:
    """`phase_math.phase_shortfalls` for a stored goal."""
    goal = load_goal(con, goal_id)
    metric = load_metrics(con)[goal.metric]
    return phase_math.phase_shortfalls(
        monthly_targets(con, goal_id),
        monthly_actuals(con, goal_id),
        load_phases(con, goal_id),
        kind=metric.kind,
        higher_is_better=metric.higher_is_better,
    )


def respread_from_phase(
    con: duckdb.DuckDBPyConnection, goal_id: str, phase: str, by: str
) -> tuple[dict, pl.DataFrame]:
    """Re-spread `phase`'s shortfall over the later months; return (its standing, new targets)."""
    goal = load_goal(con, goal_id)
    metric = load_metrics(con)[goal.metric]
    targets, actuals = monthly_targets(con, goal_id), monthly_actuals(con, goal_id)
    phases = load_phases(con, goal_id)
    new = phase_math.respread_shortfall(
        targets,
        actuals,
        phases,
        phase,
        kind=metric.kind,
        target=goal.target,
        higher_is_better=metric.higher_is_better,
    )
    standing = phase_math.phase_shortfalls(
        targets, actuals, phases, kind=metric.kind, higher_is_better=metric.higher_is_better
    ).filter(pl.col("phase") == phase)
    row = standing.row(0, named=True)
    write_targets_with_history(con, goal_id, new, by, "shortfall_respread", {"phase": row})
    return row, new
