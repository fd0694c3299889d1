"""Named queries the contribution report reads: actuals, initiatives and the goal's teams.

Sums are computed by the database (GROUP BY); only series that the checks and the attribution
need day by day are read as days.
"""

from __future__ import annotations

import datetime as dt

import duckdb
import polars as pl


def last_data_day(
    con: duckdb.DuckDBPyConnection, metrics: tuple[str, ...], start: dt.date, end: dt.date
) -> dt.date | None:
    """The last day in [start, end] on which every one of `metrics` has observations."""
    rows = con.execute(
        """
        select max(day) from (
            select day from observations
            where list_contains($metrics, metric) and day between $start and $end
            group by day having count(distinct metric) = len($metrics)
        )
        """,
        {"metrics": list(metrics), "start": start, "end": end},
    ).fetchall()  # never fetchone: DuckDB 2 keeps a half-read result open (docs/developing.md)
    return rows[0][0] if rows else None


def series_daily(
    con: duckdb.DuckDBPyConnection, metrics: tuple[str, ...], start: dt.date, end: dt.date
) -> pl.DataFrame:
    """Observations of `metrics` per team and day. Columns: day, metric, team, actual."""
    return con.sql(
        """
        select day, metric, team, value as actual from observations
        where list_contains($metrics, metric) and day between $start and $end
        order by metric, team, day
        """,
        params={"metrics": list(metrics), "start": start, "end": end},
    ).pl()


def company_daily(
    con: duckdb.DuckDBPyConnection, metrics: tuple[str, ...], start: dt.date, end: dt.date
) -> pl.DataFrame:
    """The company's daily totals (all teams, `unassigned` included). Columns: day, metric,
    actual."""
    return con.sql(
        """
        select day, metric, sum(value) as actual from observations
        where list_contains($metrics, metric) and day between $start and $end
        group by day, metric order by metric, day
        """,
        params={"metrics": list(metrics), "start": start, "end": end},
    ).pl()


def monthly_sums(
    con: duckdb.DuckDBPyConnection, metrics: tuple[str, ...], start: dt.date, end: dt.date
) -> pl.DataFrame:
    """Per month, metric and team, the total and the days observed in [start, end].

    Columns: month (first day), metric, team, actual, days.
    """
    return con.sql(
        """
        select date_trunc('month', day)::date as month, metric, team,
               sum(value) as actual, count(*)::bigint as days
        from observations
        where list_contains($metrics, metric) and day between $start and $end
        group by all order by month, metric, team
        """,
        params={"metrics": list(metrics), "start": start, "end": end},
    ).pl()


def initiatives_between(
    con: duckdb.DuckDBPyConnection, start: dt.date, end: dt.date
) -> pl.DataFrame:
    """Initiatives whose window meets [start, end], or whose payback (an equally long stretch
    right after) does. Columns: initiative, team, metric, start_day, end_day, name."""
    return con.sql(
        """
        select initiative, team, metric, start_day, end_day, name from initiatives
        where start_day <= $end
          and end_day + (end_day - start_day + 1) * interval 1 day >= $start
        order by start_day, initiative
        """,
        params={"start": start, "end": end},
    ).pl()


def goal_teams(
    con: duckdb.DuckDBPyConnection, metrics: tuple[str, ...], start: dt.date, end: dt.date
) -> pl.DataFrame:
    """Teams with observations of `metrics` in [start, end], with their department.

    Columns: team, department (`unassigned` for a team missing from the teams table).
    """
    return con.sql(
        """
        select o.team, coalesce(t.department, 'unassigned') as department
        from (select distinct team from observations
              where list_contains($metrics, metric) and day between $start and $end) o
        left join teams t using (team)
        order by o.team
        """,
        params={"metrics": list(metrics), "start": start, "end": end},
    ).pl()


def probe_bounds(
    con: duckdb.DuckDBPyConnection,
    runs: pl.DataFrame,
    spans: pl.DataFrame,
    low: float,
    high: float,
) -> pl.DataFrame:
    """Quantiles over sampled paths of each probe's natural total, in one pass of the database.

    `runs`: run, metric, team (the frozen goal runs in use, from `goal_baseline_runs`).
    `spans`: probe, metric, team, start_day, end_day (a probe's days as contiguous runs; a
    probe's total is the sum over its spans, path by path). Columns: probe, natural_lower,
    natural_upper.
    """
    in_use = runs.select("run", "metric", "team")  # noqa: F841 - read by DuckDB by name
    windows = spans.select("probe", "metric", "team", "start_day", "end_day")  # noqa: F841
    return con.sql(
        """
        with totals as (
            select w.probe, s.sample, sum(s.value) as value
            from windows w
            join in_use r on r.metric = w.metric and r.team = w.team
            join forecast_samples s on s.run = r.run and s.day between w.start_day and w.end_day
            group by w.probe, s.sample
        )
        select probe, quantile_cont(value, $low) as natural_lower,
               quantile_cont(value, $high) as natural_upper
        from totals group by probe order by probe
        """,
        params={"low": low, "high": high},
    ).pl()
