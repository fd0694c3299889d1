"""Data health: is every series complete and fresh? Aggregated in SQL, one row per series."""

from __future__ import annotations

import datetime as dt

import duckdb
import polars as pl

_SERIES_HEALTH = """
    with per_series as (
        select metric, team,
               min(day) as first_day,
               max(day) as last_day,
               count(*) as rows
        from observations
        group by metric, team
    )
    select s.metric, m.name as metric_name, s.team, t.department,
           s.first_day, s.last_day, s.rows,
           (s.last_day - s.first_day + 1) - s.rows as missing_days,
           $today - s.last_day as days_since_last
    from per_series s
    left join metrics m using (metric)
    left join teams t using (team)
    order by s.metric, s.team
"""


def series_health(con: duckdb.DuckDBPyConnection, today: dt.date) -> pl.DataFrame:
    """Columns: metric, metric_name, team, department, first_day, last_day, rows, missing_days
    (days without a row between the first and last day), days_since_last (freshness vs today).

    Duplicates cannot exist: observations are keyed by day, metric and team.
    """
    return con.sql(_SERIES_HEALTH, params={"today": today}).pl()


def metric_catalogue(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """Columns: metric, name, kind, unit, numerator, denominator, higher_is_better, teams,
    first_day, last_day, rows (ratio metrics have no rows: they are computed)."""
    return con.sql(
        """
        select m.metric, m.name, m.kind, m.unit, m.numerator, m.denominator, m.higher_is_better,
               count(distinct o.team) as teams, min(o.day) as first_day, max(o.day) as last_day,
               count(o.day) as rows
        from metrics m
        left join observations o using (metric)
        group by all
        order by m.metric
        """
    ).pl()


def missing_day_ranges(
    con: duckdb.DuckDBPyConnection, metric: str, team: str, limit: int = 50
) -> pl.DataFrame:
    """Columns: gap_start, gap_end, days — the runs of days missing inside one series."""
    return con.sql(
        """
        with days as (
            select day, lead(day) over (order by day) as next_day
            from observations where metric = $metric and team = $team
        )
        select day + 1 as gap_start, next_day - 1 as gap_end, next_day - day - 1 as days
        from days where next_day - day > 1
        order by gap_start
        limit $limit
        """,
        params={"metric": metric, "team": team, "limit": limit},
    ).pl()
