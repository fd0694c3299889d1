"""The natural baseline's interval around the Overview's running line, at each month end.

`running_band` is the pure part: one central interval over sampled paths of the running value
(sum, average per day or ratio, as `report.running`). `natural_band` reads the paths' sums from
the store for each month end and calls it.
"""

from __future__ import annotations

import datetime as dt

import duckdb
import polars as pl

from metrics.contribution.measurement import Roles, by_role
from metrics.contribution.parts import in_terms, month_end
from metrics.forecasts.reads import goal_baseline_sample_sums
from metrics.plan.goals import load_goal
from metrics.stats import INTERVAL_WIDTH, interval_bounds
from metrics.store.catalog import Metric, MetricKind, load_metrics


def running_band(
    kind: MetricKind, paths: pl.DataFrame, days: int, *, width: float = INTERVAL_WIDTH
) -> tuple[float, float] | None:
    """The `width` interval of the running value over `days` days; None without paths.

    `paths`: sample, num_x, den_x (a path's sums in the goal metric's roles, see `by_role`).
    """
    if paths.is_empty():
        return None
    values = paths.group_by("sample").agg(
        value=in_terms(kind, pl.col("num_x").sum(), pl.col("den_x").sum(), days)
    )["value"]
    low, high = interval_bounds(width)
    return float(values.quantile(low, "linear")), float(values.quantile(high, "linear"))


def natural_band(con: duckdb.DuckDBPyConnection, goal_id: str) -> pl.DataFrame:
    """The natural baseline's interval from the start of the goal to each month end.

    Quantiles over the baseline's sampled paths of the same running value as `report.running`,
    so the band matches the line. Columns: day, lower, upper (empty without sampled paths).
    """
    goal = load_goal(con, goal_id)
    metric = load_metrics(con)[goal.metric]
    ends = pl.date_range(goal.start_day, goal.end_day, "1mo", eager=True).to_list()
    rows = []
    for day in sorted({min(month_end(first), goal.end_day) for first in ends}):
        band = _band(con, goal.goal, metric, goal.start_day, day)
        if band is not None:
            rows.append((day, *band))
    schema = {"day": pl.Date, "lower": pl.Float64, "upper": pl.Float64}
    return pl.DataFrame(rows, schema=schema, orient="row")


def _band(con, goal_id: str, metric: Metric, start: dt.date, end: dt.date):
    sums = goal_baseline_sample_sums(con, goal_id, start, end)
    mine = sums.filter(pl.col("metric").is_in(list(metric.stored_metrics)))
    paths = by_role(mine, Roles.of(metric), "x")
    return running_band(metric.kind, paths, (end - start).days + 1)
