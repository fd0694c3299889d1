"""Writes to the forecast tables, as the runner makes them: runs, forecast rows, backtest errors
and calibrations, backtests, and taking runs out of use. Called inside the caller's transaction.

Re-exported by `metrics.forecasts.reads`, whose contract names them. No prophet or pandas here.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import duckdb
import polars as pl


@dataclass(frozen=True)
class RunRecord:
    """One series' fit, as written to `forecast_runs` (settings and selection are JSON)."""

    purpose: str
    goal: str | None
    metric: str
    team: str
    input_hash: str
    settings: str
    selection: str | None
    country: str | None
    masked_days: int
    train_start: dt.date | None
    train_end: dt.date | None
    forecast_start: dt.date | None
    forecast_end: dt.date | None
    created_at: dt.datetime
    fit_seconds: float | None
    status: str
    error: str | None = None


def insert_run(con: duckdb.DuckDBPyConnection, record: RunRecord) -> int:
    """Write a run and return its id."""
    rows = con.execute(
        """
        insert into forecast_runs (purpose, goal, metric, team, input_hash, settings, selection,
            country, masked_days, train_start, train_end, forecast_start, forecast_end,
            created_at, fit_seconds, status, error)
        values ($purpose, $goal, $metric, $team, $input_hash, $settings, $selection, $country,
            $masked_days, $train_start, $train_end, $forecast_start, $forecast_end, $created_at,
            $fit_seconds, $status, $error)
        returning run
        """,
        record.__dict__,
    ).fetchall()
    return int(rows[0][0])


def copy_goal_run(con: duckdb.DuckDBPyConnection, source: int, goal: str, at: dt.datetime) -> int:
    """A new run of `goal` with the inputs, settings, forecast and samples of run `source`."""
    rows = con.execute(
        """
        insert into forecast_runs (purpose, goal, metric, team, input_hash, settings, selection,
            country, masked_days, train_start, train_end, forecast_start, forecast_end,
            created_at, fit_seconds, status, error)
        select purpose, $goal, metric, team, input_hash, settings, selection, country,
            masked_days, train_start, train_end, forecast_start, forecast_end, $at, 0.0,
            status, error
        from forecast_runs where run = $source
        returning run
        """,
        {"source": source, "goal": goal, "at": at},
    ).fetchall()
    run = int(rows[0][0])
    params = {"source": source, "run": run}
    con.execute(
        """
        insert into forecasts select $run, day, yhat, yhat_lower, yhat_upper, trend, weekly,
            yearly, calendar, masked
        from forecasts where run = $source
        """,
        params,
    )
    for table in ("backtest_errors", "calibrations", "calibration_draws"):
        columns = con.execute(
            "select column_name from information_schema.columns where table_name = $table"
            " and column_name <> 'run' order by ordinal_position",
            {"table": table},
        ).fetchall()
        names = ", ".join(name for (name,) in columns)
        con.execute(
            f"insert into {table} (run, {names}) select $run, {names} from {table}"  # noqa: S608
            " where run = $source",  # table and column names come from the catalogue, not users
            params,
        )
    return run


def insert_forecast(con: duckdb.DuckDBPyConnection, run: int, frame: pl.DataFrame) -> None:
    """`frame`: day, yhat, trend, weekly, yearly, calendar, masked. The band is the point until
    `replace_calibrations` calibrates the run."""
    insert_forecasts(con, frame.with_columns(run=pl.lit(run, dtype=pl.Int64)))


def insert_forecasts(con: duckdb.DuckDBPyConnection, frame: pl.DataFrame) -> None:
    """Many runs' forecast rows in one statement (`frame`: run + `insert_forecast`'s columns):
    a statement per run costs a few milliseconds, which a night of thousands of series feels."""
    con.execute(
        """
        insert into forecasts (run, day, yhat, yhat_lower, yhat_upper, trend, weekly, yearly,
            calendar, masked)
        select run, day, yhat, yhat, yhat, trend, weekly, yearly, calendar, masked
        from frame
        """
    )


def insert_errors(
    con: duckdb.DuckDBPyConnection, run: int, errors: pl.DataFrame, own: dict
) -> None:
    """A run's backtest errors (origin, train_days, d, n, error, tbar) and its own noise
    (`own`: noise_sd, noise_phi, train_days, origin_day), uncalibrated until the batch is."""
    insert_runs_errors(
        con,
        errors.with_columns(run=pl.lit(run, dtype=pl.Int64)),
        pl.DataFrame([{"run": run, **own}]),
    )


def insert_runs_errors(
    con: duckdb.DuckDBPyConnection, errors: pl.DataFrame, own: pl.DataFrame
) -> None:
    """`insert_errors` for many runs in two statements: `errors` with a run column, `own` one
    row per run (run, noise_sd, noise_phi, train_days, origin_day)."""
    con.execute(
        "insert into backtest_errors select run, origin, train_days, d, n, error, tbar from errors"
    )
    con.execute(
        """
        insert into calibrations (run, noise_sd, noise_phi, train_days, origin_day, method,
            calibrated_at)
        select run, noise_sd, noise_phi, train_days, origin_day, 'not calibrated yet',
            current_timestamp::timestamp
        from own
        """
    )


def set_noise_calibration(
    con: duckdb.DuckDBPyConnection, run: int, noise_sd: float, origin_day: dt.date, draws: int
) -> None:
    """Calibrate `run` as independent daily noise of `noise_sd` alone, no level or slope error:
    for baselines written without a backtest (test factories, benchmarks)."""
    con.execute(
        """
        insert or replace into calibrations (run, noise_sd, noise_phi, train_days, origin_day,
            method, calibrated_at)
        values ($run, $sd, 0, 0, $origin, 'daily noise only', current_timestamp::timestamp)
        """,
        {"run": run, "sd": noise_sd, "origin": origin_day},
    )
    con.execute(
        "insert or replace into calibration_draws select $run, range::integer, 0, 0"
        " from range($draws)",
        {"run": run, "draws": draws},
    )


def replace_calibrations(
    con: duckdb.DuckDBPyConnection, calibrations: pl.DataFrame, draws: pl.DataFrame, z80: float
) -> None:
    """Store each run's calibration and its paths' errors, and recompute its daily band.

    `calibrations`: run, noise_sd, level_sd, slope_sd, rho, pooled_over, coverage, method.
    `draws`: run, sample, level, slope. The band of a day `t` years after the origin is
    yhat +- z80 |yhat| sqrt(level_sd^2 + (slope_sd t)^2 + noise_sd^2); days up to the origin
    (a rolling run's fitted history) carry the noise alone.
    """
    runs = calibrations["run"].to_list()
    calibrations_new = calibrations  # noqa: F841 - read by DuckDB by name
    con.execute(
        """
        update calibrations c set noise_sd = n.noise_sd, level_sd = n.level_sd,
            slope_sd = n.slope_sd, rho = n.rho, pooled_over = n.pooled_over,
            coverage = n.coverage, method = n.method, calibrated_at = current_timestamp::timestamp
        from calibrations_new n where n.run = c.run
        """
    )
    # a rolling run's backtest shows the same coverage as its calibration
    con.execute(
        "update backtests b set coverage = n.coverage from calibrations_new n where n.run = b.run"
    )
    con.execute("delete from calibration_draws where list_contains($runs, run)", {"runs": runs})
    con.execute("insert into calibration_draws select run, sample, level, slope from draws")
    con.execute(
        """
        update forecasts f set
            yhat_lower = f.yhat - $z * abs(f.yhat) * b.sd,
            yhat_upper = f.yhat + $z * abs(f.yhat) * b.sd
        from (
            select g.run, g.day, case when g.day <= c.origin_day then c.noise_sd
                else sqrt(c.level_sd ^ 2 + (c.slope_sd * (g.day - c.origin_day) / 365.25) ^ 2
                          + c.noise_sd ^ 2) end as sd
            from forecasts g join calibrations c using (run)
            where list_contains($runs, g.run)
        ) b
        where b.run = f.run and b.day = f.day
        """,
        {"z": z80, "runs": runs},
    )


def insert_backtest(
    con: duckdb.DuckDBPyConnection, run: int, metric: str, team: str, scores: dict
) -> None:
    """`scores` has input_hash, horizon, settings, created_at, train_days, model_mape,
    model_smape, coverage, naive_mape, naive_smape."""
    insert_backtests(con, [{"run": run, "metric": metric, "team": team, **scores}])


def insert_backtests(con: duckdb.DuckDBPyConnection, rows: list[dict]) -> None:
    """Many runs' backtests (each row: run, metric, team and `insert_backtest`'s scores) in one
    statement."""
    if not rows:
        return
    frame = pl.DataFrame(rows, schema_overrides={"run": pl.Int64})  # noqa: F841 - read by name
    con.execute(
        """
        insert into backtests (run, metric, team, input_hash, horizon, settings, created_at,
            train_days, model_mape, model_smape, coverage, naive_mape, naive_smape)
        select run, metric, team, input_hash, horizon, settings, created_at, train_days,
            model_mape, model_smape, coverage, naive_mape, naive_smape
        from frame
        """
    )


def supersede_runs(con: duckdb.DuckDBPyConnection, runs: list[int], at: dt.datetime) -> None:
    """Take goal runs out of use, keeping them (and their forecasts) for audit."""
    con.execute(
        "update forecast_runs set superseded_at = $at where list_contains($runs, run)",
        {"at": at, "runs": runs},
    )


def delete_runs(con: duckdb.DuckDBPyConnection, runs: list[int]) -> None:
    """Drop replaced rolling runs with their rows: the rolling forecast is a cache, not a record."""
    tables = ("forecasts", "backtest_errors", "calibrations", "calibration_draws", "backtests")
    for table in (*tables, "forecast_runs"):
        con.execute(
            f"delete from {table} where list_contains($runs, run)",  # noqa: S608 - fixed names
            {"runs": runs},
        )
