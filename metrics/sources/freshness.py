"""How fresh the data is: each source and metric has an expected latest day (today - lag days,
by default yesterday), and a goal's data that ends before it is late."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import duckdb
import polars as pl

from metrics.sources.definitions import DEFAULT_LAG_DAYS

_METRIC_FRESHNESS = """
    with parts as (
        select metric, metric as part from metrics where kind <> 'ratio'
        union all select metric, numerator from metrics where kind = 'ratio'
        union all select metric, denominator from metrics where kind = 'ratio'
    ), latest as (
        select p.metric, max(o.day) as latest_day, count(o.day) as rows_seen
        from parts p left join observations o on o.metric = p.part
        group by p.metric, p.part
    )
    select l.metric, m.name,
           -- a ratio is as fresh as the staler of its two parts
           case when count(*) filter (where rows_seen = 0) > 0 then null
                else min(latest_day) end as latest_day,
           coalesce(f.lag_days, $default_lag) as lag_days
    from latest l
    join metrics m using (metric)
    left join metric_freshness f using (metric)
    group by l.metric, m.name, f.lag_days
    order by l.metric
"""


def metric_freshness(con: duckdb.DuckDBPyConnection, today: dt.date) -> pl.DataFrame:
    """Columns: metric, name, latest_day, lag_days, expected_day, days_late (0 when on time,
    null without data)."""
    frame = con.sql(_METRIC_FRESHNESS, params={"default_lag": DEFAULT_LAG_DAYS}).pl()
    return _lateness(frame, today)


def source_freshness(con: duckdb.DuckDBPyConnection, today: dt.date) -> pl.DataFrame:
    """Columns: source, target, last_sync, last_outcome, latest_day (the last day an ok run
    read), lag_days, expected_day, days_late."""
    frame = con.sql(
        """
        select s.source, s.target,
               max(r.started_at) as last_sync,
               arg_max(r.outcome, r.run) as last_outcome,
               max(r.last_day) filter (where r.outcome = 'ok') as latest_day,
               s.lag_days
        from sources s left join sync_runs r using (source)
        group by s.source, s.target, s.lag_days
        order by s.source
        """
    ).pl()
    return _lateness(frame, today)


def _lateness(frame: pl.DataFrame, today: dt.date) -> pl.DataFrame:
    expected = pl.lit(today) - pl.duration(days=pl.col("lag_days"))
    late = (expected - pl.col("latest_day")).dt.total_days().clip(lower_bound=0)
    return frame.with_columns(expected.cast(pl.Date).alias("expected_day")).with_columns(
        late.alias("days_late")
    )


def set_metric_lag(con: duckdb.DuckDBPyConnection, metric: str, lag_days: int) -> None:
    con.execute(
        "insert or replace into metric_freshness (metric, lag_days) values ($1, $2)",
        [metric, lag_days],
    )


@dataclass(frozen=True)
class Lateness:
    """A metric's data that ends before its expected day."""

    metric: str
    latest_day: dt.date
    expected_day: dt.date
    days_late: int

    def __str__(self) -> str:
        days = "day" if self.days_late == 1 else "days"
        return f"data up to {self.latest_day}, {self.days_late} {days} late"


def metric_lateness(con: duckdb.DuckDBPyConnection, metric: str, today: dt.date) -> Lateness | None:
    """The metric's lateness, or None when its data is on time (or it has none)."""
    row = metric_freshness(con, today).filter(pl.col("metric") == metric)
    if row.is_empty() or row["latest_day"][0] is None or not row["days_late"][0]:
        return None
    return Lateness(metric, row["latest_day"][0], row["expected_day"][0], int(row["days_late"][0]))
