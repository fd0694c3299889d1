"""What every part of a goal's contribution report shares: the goal, its baseline and its plan.

`load_context` reads these once per report: the goal, its catalogue entry, the teams, the frozen
baseline's daily points, the thresholds, phases, assignments and monthly targets. The parts
(`metrics.contribution.parts`) still take the connection: each reads what depends on the window it
measures, the actuals (`queries.company_daily`, `queries.series_daily`) and the sampled paths'
sums over the window (`sample_sums`, one query per window), which are too many to read up front.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import partial

import duckdb
import polars as pl

from metrics.contribution import queries as q
from metrics.contribution.measurement import Roles, require_complete
from metrics.forecasts.reads import goal_baseline, goal_baseline_sample_sums
from metrics.plan.goals import Goal, StatusThresholds, load_goal, monthly_targets, status_thresholds
from metrics.plan.phases import load_assignments, load_phases
from metrics.store.catalog import Metric, MetricKind, load_metrics
from metrics.store.errors import DataopsError


class NoBaseline(DataopsError):
    """The goal has no frozen natural baseline to measure against."""


@dataclass(frozen=True)
class Context:
    """What every part of the report shares, read once by `load_context` (no sampled paths: the
    parts read those per window)."""

    goal: Goal
    metric: Metric
    catalogue: dict[str, Metric]
    as_of: dt.date
    latest_data_day: dt.date  # the last day with data in the goal period, whatever `as_of` is
    teams: pl.DataFrame  # team, department
    baseline: pl.DataFrame  # day, metric, team, yhat, ... over the goal period
    thresholds: StatusThresholds
    phases: pl.DataFrame
    assignments: pl.DataFrame
    monthly: pl.DataFrame  # month, days, weight, target, ...

    @property
    def kind(self) -> MetricKind:
        return self.metric.kind

    @property
    def stored(self) -> tuple[str, ...]:
        return self.metric.stored_metrics

    @property
    def roles(self) -> Roles:
        return Roles.of(self.metric)

    @property
    def start(self) -> dt.date:
        return self.goal.start_day

    @property
    def looking_back(self) -> bool:
        """Measured as of a day before the latest data (a look at the past, not today's view)."""
        return self.as_of < self.latest_data_day

    def days(self, start: dt.date, end: dt.date) -> int:
        return (end - start).days + 1


def load_context(
    con: duckdb.DuckDBPyConnection, goal_id: str, as_of: dt.date | None = None
) -> Context:
    """Read the goal, its baseline and plan; resolve the as-of day (default: the last day with
    data inside the goal period)."""
    goal = load_goal(con, goal_id)
    catalogue = load_metrics(con)
    metric = catalogue[goal.metric]
    baseline = goal_baseline(con, goal_id)
    if baseline.is_empty():
        raise NoBaseline(
            f"goal {goal_id!r} has no frozen natural baseline yet, so there is nothing to measure "
            "uplift against. Fix: <<fit_baseline>>",
            goal=goal_id,
        )
    as_of, latest = _resolve_as_of(con, goal, metric, as_of)
    teams = q.goal_teams(con, metric.stored_metrics, goal.start_day, as_of)
    sums = baseline.filter(pl.col("metric").is_in(list(metric.stored_metrics)))
    require_complete(
        sums.select("metric", "team", natural="yhat"), Roles.of(metric), teams["team"].to_list()
    )
    return Context(
        goal=goal,
        metric=metric,
        catalogue=catalogue,
        as_of=as_of,
        latest_data_day=latest,
        teams=teams,
        baseline=baseline,
        thresholds=status_thresholds(con),
        phases=load_phases(con, goal_id),
        assignments=load_assignments(con, goal_id),
        monthly=monthly_targets(con, goal_id),
    )


def _resolve_as_of(
    con: duckdb.DuckDBPyConnection, goal: Goal, metric: Metric, as_of: dt.date | None
) -> tuple[dt.date, dt.date]:
    """(the last day with data up to `as_of`, the last day with data in the whole period)."""
    if as_of is not None and not goal.start_day <= as_of <= goal.end_day:
        raise DataopsError(
            f"the day {as_of.isoformat()} is outside goal {goal.goal!r} "
            f"({goal.start_day.isoformat()} to {goal.end_day.isoformat()}). Fix: <<pick_as_of>>",
            goal=goal.goal,
        )
    last = q.last_data_day(con, metric.stored_metrics, goal.start_day, as_of or goal.end_day)
    if last is None:
        raise DataopsError(
            f"no observations of {', '.join(metric.stored_metrics)} between "
            f"{goal.start_day.isoformat()} and {(as_of or goal.end_day).isoformat()}, so goal "
            f"{goal.goal!r} has no actual to measure yet. Fix: <<import_observations>> for the "
            "goal period"
        )
    if as_of is None:
        return last, last
    return last, q.last_data_day(con, metric.stored_metrics, goal.start_day, goal.end_day)


def sample_sums(con: duckdb.DuckDBPyConnection, ctx: Context):
    """`(first, last) -> metric, team, sample, value` over the goal's stored metrics."""
    fetch = partial(goal_baseline_sample_sums, con, ctx.goal.goal)

    def window(first: dt.date, last: dt.date) -> pl.DataFrame:
        return fetch(first, last).filter(pl.col("metric").is_in(list(ctx.stored)))

    return window
