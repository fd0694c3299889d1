"""Late data: the goal's series whose latest day is older than the data should be by now."""

from __future__ import annotations

import datetime as dt

import duckdb
import polars as pl

from metrics.plan.goals import load_goal
from metrics.store.catalog import load_metrics

# Data for a day usually lands the next morning; two days behind is late.
GRACE_DAYS = 2

LATE_SCHEMA = {"metric": pl.String, "team": pl.String, "last_day": pl.Date, "days_late": pl.Int64}


def late_series(
    con: duckdb.DuckDBPyConnection, goal_id: str, today: dt.date, grace_days: int = GRACE_DAYS
) -> pl.DataFrame:
    """The goal's stored series that are late on `today`. Columns: metric, team, last_day,
    days_late (days past the day data was due: yesterday, or the goal's last day once it has
    ended, less the grace days). Nothing is late before the goal starts."""
    goal = load_goal(con, goal_id)
    due = min(today - dt.timedelta(days=1), goal.end_day)
    if due < goal.start_day:
        return pl.DataFrame(schema=LATE_SCHEMA)
    stored = list(load_metrics(con)[goal.metric].stored_metrics)
    return con.sql(
        """
        select metric, team, max(day) as last_day,
               datediff('day', max(day), $due::date)::bigint as days_late
        from observations
        where list_contains($stored, metric)
        group by metric, team
        having datediff('day', max(day), $due::date) > $grace
        order by metric, team
        """,
        params={"due": due, "stored": stored, "grace": grace_days},
    ).pl()
