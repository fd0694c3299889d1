"""Named queries over the forecast tables: what a goal needs, the baselines in use, their runs.

Goal runs are frozen (the baseline a goal is judged against); rolling runs are the latest
forecast per series. The writes the runner makes live in `metrics.forecasts.writes` and are
re-exported here. No prophet or pandas here.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import duckdb
import polars as pl

from metrics.forecasts.in_use import goal_runs_in_use, rolling_runs_in_use
from metrics.forecasts.writes import RunRecord as RunRecord
from metrics.forecasts.writes import copy_goal_run as copy_goal_run
from metrics.forecasts.writes import delete_runs as delete_runs
from metrics.forecasts.writes import insert_backtest as insert_backtest
from metrics.forecasts.writes import insert_backtests as insert_backtests
from metrics.forecasts.writes import insert_errors as insert_errors
from metrics.forecasts.writes import insert_forecast as insert_forecast
from metrics.forecasts.writes import insert_forecasts as insert_forecasts
from metrics.forecasts.writes import insert_run as insert_run
from metrics.forecasts.writes import insert_runs_errors as insert_runs_errors
from metrics.forecasts.writes import replace_calibrations as replace_calibrations
from metrics.forecasts.writes import set_noise_calibration as set_noise_calibration
from metrics.forecasts.writes import supersede_runs as supersede_runs
from metrics.stats import Z80
from metrics.store.catalog import load_metrics
from metrics.store.errors import DataopsError
from metrics.store.frames import frame

BASELINE_COLUMNS = ("day", "metric", "team", "yhat", "yhat_lower", "yhat_upper", "run")
_BASELINE_SCHEMA = {
    "day": pl.Date,
    "metric": pl.String,
    "team": pl.String,
    "yhat": pl.Float64,
    "yhat_lower": pl.Float64,
    "yhat_upper": pl.Float64,
    "run": pl.Int64,
}


@dataclass(frozen=True)
class GoalPeriod:
    goal: str
    metric: str
    start_day: dt.date
    end_day: dt.date


def goal_period(con: duckdb.DuckDBPyConnection, goal: str) -> GoalPeriod:
    # fetchall, never fetchone: DuckDB 2 keeps a half-read result open (docs/developing.md)
    rows = con.execute(
        "select goal, metric, start_day, end_day from goals where goal = $goal", {"goal": goal}
    ).fetchall()
    if not rows:
        known = [r[0] for r in con.execute("select goal from goals order by goal").fetchall()]
        raise DataopsError(
            f"no goal {goal!r} in the store (goals: {', '.join(known) or 'none'}). "
            "Fix: use one of those ids, or <<create_goal>>"
        )
    return GoalPeriod(*rows[0])


def goal_series(con: duckdb.DuckDBPyConnection, goal: str) -> list[tuple[str, str]]:
    """Every stored (metric, team) series the goal needs, sorted.

    The goal metric's stored metrics (a ratio: its numerator and denominator) for every team with
    observations of them, `unassigned` included, plus the indicators of the goal's assignments
    (again as stored metrics) for the assigned teams.
    """
    catalogue = load_metrics(con)
    period = goal_period(con, goal)
    needed = list(_stored(catalogue, period.metric))
    found = con.sql(
        "select distinct metric, team from observations where list_contains($metrics, metric)",
        params={"metrics": needed},
    ).fetchall()
    indicators = con.execute(
        "select distinct indicator, team from assignments where goal = $goal", {"goal": goal}
    ).fetchall()
    for indicator, team in indicators:
        found += [(metric, team) for metric in _stored(catalogue, indicator)]
    return sorted(set(found))


def _stored(catalogue: dict, metric: str) -> tuple[str, ...]:
    known = catalogue.get(metric)
    return known.stored_metrics if known is not None else (metric,)


def stored_series(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str]]:
    """Every (metric, team) with observations, sorted: what a rolling refresh forecasts."""
    return con.execute(
        "select distinct metric, team from observations order by metric, team"
    ).fetchall()


def series_observations(
    con: duckdb.DuckDBPyConnection, series: list[tuple[str, str]]
) -> pl.DataFrame:
    """Observations of the given (metric, team) series. Columns: day, metric, team, value."""
    wanted = pl.DataFrame(  # noqa: F841 - read by DuckDB below
        series, schema={"metric": pl.String, "team": pl.String}, orient="row"
    )
    return con.sql(
        """
        select o.day, o.metric, o.team, o.value
        from observations o semi join wanted w on o.metric = w.metric and o.team = w.team
        order by o.metric, o.team, o.day
        """
    ).pl()


def initiative_windows(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """Every initiative's window, its metric expanded to the stored metrics it moves (a ratio
    becomes its numerator and denominator). Columns: initiative, team, metric, start_day,
    end_day."""
    catalogue = load_metrics(con)
    stored = pl.DataFrame(
        [(m, part) for m, metric in catalogue.items() for part in metric.stored_metrics],
        schema={"metric": pl.String, "stored": pl.String},
        orient="row",
    )
    windows = con.sql(
        "select initiative, team, metric, start_day, end_day from initiatives order by start_day"
    ).pl()
    expanded = windows.join(stored, on="metric", how="left")
    return expanded.with_columns(metric=pl.coalesce("stored", "metric")).select(
        "initiative", "team", "metric", "start_day", "end_day"
    )


def festival_windows(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """The market calendar. Columns: event, start_day, end_day."""
    return con.sql(
        "select event, start_day, end_day from market_calendar order by start_day, event"
    ).pl()


def stored_setting(con: duckdb.DuckDBPyConnection, key: str) -> str | None:
    rows = con.execute("select value from settings where key = $key", {"key": key}).fetchall()
    return str(rows[0][0]) if rows else None


def goal_baseline(con: duckdb.DuckDBPyConnection, goal: str) -> pl.DataFrame:
    """The frozen natural baseline over the goal period. Columns: BASELINE_COLUMNS.

    Empty (same columns) when no baseline is frozen for the goal.
    """
    frame = con.sql(
        f"""
        select f.day, r.metric, r.team, f.yhat, f.yhat_lower, f.yhat_upper, r.run
        from forecast_runs r join forecasts f using (run)
        join goals g on g.goal = r.goal
        where {goal_runs_in_use("r")} and f.day between g.start_day and g.end_day
        order by r.metric, r.team, f.day
        """,  # noqa: S608 - a fixed predicate; the values are bound parameters
        params={"goal": goal},
    ).pl()
    return frame if frame.height else pl.DataFrame(schema=_BASELINE_SCHEMA)


def goal_baseline_sample_sums(
    con: duckdb.DuckDBPyConnection, goal: str, start: dt.date, end: dt.date
) -> pl.DataFrame:
    """Per sampled path, the natural total over days start..end. Columns: metric, team, sample,
    value. Sums over paths (not of daily intervals) keep the days' correlation, so the spread of
    `value` is the interval of the window's total."""
    return con.sql(
        f"""
        select r.metric, r.team, s.sample, sum(s.value) as value
        from forecast_runs r join forecast_samples s using (run)
        where {goal_runs_in_use("r")} and s.day between $start and $end
        group by r.metric, r.team, s.sample
        order by r.metric, r.team, s.sample
        """,  # noqa: S608 - a fixed predicate; the values are bound parameters
        params={"goal": goal, "start": start, "end": end},
    ).pl()


def goal_baseline_runs(
    con: duckdb.DuckDBPyConnection, goal: str, include_superseded: bool = False
) -> pl.DataFrame:
    """The goal's runs, newest first. Columns: run, metric, team, created_at, train_start,
    train_end, settings, status, error, superseded_at."""
    return con.sql(
        """
        select run, metric, team, created_at, train_start, train_end, settings, status, error,
               superseded_at
        from forecast_runs
        where goal = $goal and purpose = 'goal' and ($all or superseded_at is null)
        order by metric, team, created_at desc, run desc
        """,
        params={"goal": goal, "all": include_superseded},
    ).pl()


def runs_in_use(con: duckdb.DuckDBPyConnection, purpose: str, goal: str | None) -> pl.DataFrame:
    """Runs not superseded for a purpose (and goal). Columns: run, metric, team, input_hash,
    status, forecast_start, forecast_end."""
    return con.sql(
        """
        select run, metric, team, input_hash, status, forecast_start, forecast_end
        from forecast_runs
        where purpose = $purpose and goal is not distinct from $goal and superseded_at is null
        order by metric, team, run
        """,
        params={"purpose": purpose, "goal": goal},
    ).pl()


def calibration_inputs(
    con: duckdb.DuckDBPyConnection, runs: list[int]
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """What calibrating `runs` needs: (their calibrations: run, metric, team, noise_sd,
    noise_phi, train_days, method; their backtest errors: run, origin, train_days, d, n,
    error, tbar)."""
    params = {"runs": runs}
    own = con.sql(
        """
        select c.run, r.metric, r.team, c.noise_sd, c.noise_phi, c.train_days, c.method
        from calibrations c join forecast_runs r using (run)
        where list_contains($runs, c.run) order by c.run
        """,
        params=params,
    ).pl()
    errors = con.sql(
        "select run, origin, train_days, d, n, error, tbar from backtest_errors"
        " where list_contains($runs, run) order by run, origin, d",
        params=params,
    ).pl()
    return own, errors


def run_calibrations(
    con: duckdb.DuckDBPyConnection, purpose: str, goal: str | None
) -> pl.DataFrame:
    """How the intervals of the runs in use were obtained, per series. Columns: run, metric,
    team, level_sd, slope_sd, noise_sd, noise_phi, rho, pooled_over, coverage, method,
    backtest_errors (how many window errors the run has), half_width (of the 80% interval of
    the whole forecast period's total, as a share of it), days."""
    return frame(
        con.sql(
            """
        with runs as (
            select run, metric, team, forecast_start, forecast_end from forecast_runs
            where purpose = $purpose and goal is not distinct from $goal
              and superseded_at is null and status = 'ok'
        ),
        ahead as (
            select f.run, count(*) as days,
                sum(abs(f.yhat) * greatest(f.day - c.origin_day, 0) / 365.25)
                    / nullif(sum(abs(f.yhat)), 0) as tbar
            from forecasts f join calibrations c using (run) join runs r using (run)
            where f.day > c.origin_day
            group by f.run
        ),
        counted as (select run, count(*) as backtest_errors from backtest_errors group by run)
        select r.run, r.metric, r.team, c.level_sd, c.slope_sd, c.noise_sd, c.noise_phi, c.rho,
            c.pooled_over, c.coverage, c.method, coalesce(n.backtest_errors, 0) as backtest_errors,
            $z * sqrt(c.level_sd ^ 2 + (c.slope_sd * a.tbar) ^ 2
                + c.noise_sd ^ 2 * (1 + c.noise_phi) / (1 - c.noise_phi) / a.days) as half_width,
            a.days
        from runs r join calibrations c using (run)
        left join ahead a using (run) left join counted n using (run)
        order by r.metric, r.team
        """,
            params={"purpose": purpose, "goal": goal, "z": Z80},
        )
    )


def goal_runs_by_hash(con: duckdb.DuckDBPyConnection, hashes: list[str]) -> dict[str, int]:
    """For each input hash, the newest good goal run with it (any goal, even superseded): its
    forecast is what a fit of the same inputs would give, so it can be copied, not refitted."""
    rows = con.sql(
        """
        select input_hash, max(run) from forecast_runs
        where purpose = 'goal' and status = 'ok' and list_contains($hashes, input_hash)
        group by input_hash
        """,
        params={"hashes": hashes},
    ).fetchall()
    return {digest: int(run) for digest, run in rows}


def rolling_forecast(con: duckdb.DuckDBPyConnection, metric: str, team: str) -> pl.DataFrame:
    """The latest good rolling forecast of a series, history and days ahead, with the actuals.

    Columns: day, yhat, yhat_lower, yhat_upper, trend, weekly, yearly, calendar, run, masked,
    actual (null ahead of the data).
    """
    return con.sql(
        """
        select f.day, f.yhat, f.yhat_lower, f.yhat_upper, f.trend, f.weekly, f.yearly,
               f.calendar, f.run, f.masked, o.value as actual
        from forecasts f
        left join observations o
          on o.day = f.day and o.metric = $metric and o.team = $team
        where f.run = (
            select max(run) from forecast_runs
            where purpose = 'rolling' and metric = $metric and team = $team and status = 'ok'
        )
        order by f.day
        """,
        params={"metric": metric, "team": team},
    ).pl()


def rolling_runs(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """The rolling runs in use, one row per series and status, with the series' latest
    backtest. Columns: metric, team, run, status, error, created_at, train_start, train_end,
    forecast_end, settings, selection, country, masked_days, fit_seconds, horizon, model_mape,
    model_smape, coverage, naive_mape, naive_smape."""
    return con.sql(
        f"""
        select r.metric, r.team, r.run, r.status, r.error, r.created_at, r.train_start,
               r.train_end, r.forecast_end, r.settings, r.selection, r.country, r.masked_days,
               r.fit_seconds, b.horizon, b.model_mape, b.model_smape, b.coverage, b.naive_mape,
               b.naive_smape
        from forecast_runs r left join backtests b using (run)
        where {rolling_runs_in_use("r")}
        order by r.metric, r.team, r.run
        """  # noqa: S608 - a fixed predicate
    ).pl()


def festivals_between(
    con: duckdb.DuckDBPyConnection, first: dt.date, last: dt.date
) -> pl.DataFrame:
    """Festival windows touching first..last. Columns: event, name, start_day, end_day."""
    return con.sql(
        """
        select event, name, start_day, end_day from market_calendar
        where end_day >= $first and start_day <= $last order by start_day, event
        """,
        params={"first": first, "last": last},
    ).pl()


def series_goal_runs(con: duckdb.DuckDBPyConnection, metric: str, team: str) -> pl.DataFrame:
    """Every goal run of one series, newest first: which goals' baselines it is part of.
    Columns: goal, run, status, created_at, train_start, train_end, superseded_at."""
    return con.sql(
        """
        select goal, run, status, created_at, train_start, train_end, superseded_at
        from forecast_runs where purpose = 'goal' and metric = $metric and team = $team
        order by created_at desc, run desc
        """,
        params={"metric": metric, "team": team},
    ).pl()
