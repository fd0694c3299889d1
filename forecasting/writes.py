"""Write fitted series to the store: runs, forecast rows, backtest errors, calibrations.

Called inside one transaction after the fits. The runs in use are read again here, not taken
from before the fits, so a baseline frozen meanwhile by another command is respected. The runs
written are calibrated last, pooled with the other runs in use of the same goal (or the other
rolling runs): a series' interval borrows from its metric's other series.
"""

from __future__ import annotations

import datetime as dt

import duckdb
import numpy as np
import polars as pl

from forecasting.calibration import ERROR_COLUMNS, SeriesErrors, calibrate
from forecasting.jobs import SeriesJob, SeriesResult
from forecasting.model import MAX_TRAIN_DAYS
from forecasting.report import Outcome, SeriesOutcome
from metrics.forecasts import reads as fs
from metrics.stats import Z80

DRAWS = 200  # sampled paths per run: a landing chance over 200 has a standard error <= 3.5 pts
COMPANY_SEED = 20261128  # the paths' shared part: the same for every run, so sums correlate


def write_goal_results(
    con: duckdb.DuckDBPyConnection,
    goal: str,
    pairs: list[tuple[SeriesJob, SeriesResult]],
    *,
    rebaseline: bool,
) -> list[SeriesOutcome]:
    """A good fit supersedes the series' runs in use; a failed one supersedes only earlier
    failures, so a re-baseline that fails keeps the previous baseline in use."""
    at = _now()
    in_use = _runs_by_series(fs.runs_in_use(con, "goal", goal))
    outcomes, fits = [], []
    for job, result in pairs:
        ok_runs, failed_runs = in_use.get((job.metric, job.team), ([], []))
        if ok_runs and not rebaseline:
            reason = f"frozen meanwhile by another command (run {ok_runs[0]}); kept"
            outcomes.append(_outcome(job, Outcome.SKIPPED, reason, ok_runs[0]))
            continue
        fs.supersede_runs(con, (ok_runs if result.ok else []) + failed_runs, at)
        if result.same_as is not None:
            run = fs.copy_goal_run(con, result.same_as, goal, at)
            reason = f"same inputs as run {result.same_as}: its forecast was copied, not refitted"
            outcomes.append(_outcome(job, Outcome.SKIPPED, reason, run))
            continue
        run = fs.insert_run(con, _record(job, result, "goal", goal, at))
        if result.ok:
            fits.append((run, job, result))
            outcomes.append(_outcome(job, Outcome.FITTED, None, run, result.seconds))
        else:
            kept = f"; baseline run {ok_runs[0]} stays in use" if ok_runs else ""
            outcomes.append(_outcome(job, Outcome.FAILED, result.error + kept, run, result.seconds))
    _insert_fits(con, fits, at)
    calibrate_runs(con, fs.runs_in_use(con, "goal", goal), _fitted(outcomes))
    return outcomes


def write_rolling_results(
    con: duckdb.DuckDBPyConnection, pairs: list[tuple[SeriesJob, SeriesResult]]
) -> list[SeriesOutcome]:
    """A good fit replaces the series' rolling runs (a cache, so the old rows are deleted); a
    failed one replaces only earlier failures and leaves the last good forecast in place."""
    at = _now()
    in_use = _runs_by_series(fs.runs_in_use(con, "rolling", None))
    replaced = []
    for job, result in pairs:
        ok_runs, failed_runs = in_use.get((job.metric, job.team), ([], []))
        replaced += (ok_runs if result.ok else []) + failed_runs
    # One delete for the whole batch: a delete scans its table, so one per series made a
    # refresh quadratic in the number of series (3,505 series: 10 minutes without a fit).
    fs.delete_runs(con, replaced)
    outcomes, fits = [], []
    for job, result in pairs:
        run = fs.insert_run(con, _record(job, result, "rolling", None, at))
        if not result.ok:
            outcomes.append(_outcome(job, Outcome.FAILED, result.error, run, result.seconds))
            continue
        fits.append((run, job, result))
        outcomes.append(_outcome(job, Outcome.FITTED, None, run, result.seconds))
    _insert_fits(con, fits, at)
    calibrate_runs(con, fs.runs_in_use(con, "rolling", None), _fitted(outcomes))
    return outcomes


def _insert_fits(
    con: duckdb.DuckDBPyConnection,
    fits: list[tuple[int, SeriesJob, SeriesResult]],
    at: dt.datetime,
) -> None:
    """The good runs' forecasts, backtest errors, own noise and holdout scores, each table in
    one statement for the whole batch (one per series cost ~5 ms a series)."""
    if not fits:
        return
    forecasts, errors, own, backtests = [], [], [], []
    for run, job, result in fits:
        forecasts.append(result.forecast.with_columns(run=pl.lit(run, dtype=pl.Int64)))
        found = result.errors
        rows = found.rows if found else pl.DataFrame(schema=ERROR_COLUMNS)
        errors.append(rows.cast(ERROR_COLUMNS).with_columns(run=pl.lit(run, dtype=pl.Int64)))
        observed = job.history.filter(pl.col("y").is_not_null())["day"]
        own.append(
            {
                "run": run,
                "noise_sd": found.noise_sd if found and found.noise_sd is not None else 0.0,
                "noise_phi": found.noise_phi if found else 0.0,
                "train_days": found.train_days if found else observed.len(),
                "origin_day": observed.max(),
            }
        )
        if result.backtest is not None:
            backtests.append(
                {"run": run, "metric": job.metric, "team": job.team} | _backtest_row(result, at)
            )
    fs.insert_forecasts(con, pl.concat(forecasts, how="diagonal_relaxed"))
    own_frame = pl.DataFrame(
        own,
        schema={
            "run": pl.Int64, "noise_sd": pl.Float64, "noise_phi": pl.Float64,
            "train_days": pl.Int64, "origin_day": pl.Date,
        },
    )  # fmt: skip
    fs.insert_runs_errors(con, pl.concat(errors), own_frame)
    fs.insert_backtests(con, backtests)


def _fitted(outcomes: list[SeriesOutcome]) -> list[int]:
    return [o.run for o in outcomes if o.outcome is Outcome.FITTED and o.run is not None]


def calibrate_runs(con: duckdb.DuckDBPyConnection, in_use: pl.DataFrame, runs: list[int]) -> None:
    """Calibrate `runs`, pooling their errors with those of every good run in `in_use`."""
    if not runs:
        return
    pool = in_use.filter(pl.col("status") == "ok")["run"].to_list()
    own, errors = fs.calibration_inputs(con, sorted(set(pool) | set(runs)))
    series = {
        run: SeriesErrors(
            (metric, team),
            errors.filter(pl.col("run") == run).drop("run").cast(ERROR_COLUMNS),
            noise_sd if noise_sd > 0 else None,  # 0: the series had no backtest to learn it
            noise_phi,
            train_days,
        )
        for run, metric, team, noise_sd, noise_phi, train_days, _ in own.iter_rows()
    }
    by_key = calibrate(list(series.values()))
    chosen = [run for run in runs if run in series]
    rows = [(run, by_key[series[run].key]) for run in chosen]
    frame = pl.DataFrame(
        [
            (run, c.noise_sd, c.level_sd, c.slope_sd, c.rho, c.pooled_over, c.coverage, c.method)
            for run, c in rows
        ],
        schema={
            "run": pl.Int64, "noise_sd": pl.Float64, "level_sd": pl.Float64,
            "slope_sd": pl.Float64, "rho": pl.Float64, "pooled_over": pl.Int64,
            "coverage": pl.Float64, "method": pl.String,
        },
        orient="row",
    )  # fmt: skip
    fs.replace_calibrations(con, frame, _draws(rows), Z80)


def _draws(rows: list) -> pl.DataFrame:
    """Each run's paths' level and slope errors: a part shared by every run (the same seed for
    all, weighted by rho) and a part of its own (seeded by the run)."""
    shared = np.random.default_rng(COMPANY_SEED).standard_normal((2, DRAWS))
    frames = []
    for run, c in rows:
        own = np.random.default_rng([COMPANY_SEED, run]).standard_normal((2, DRAWS))
        mixed = np.sqrt(c.rho) * shared + np.sqrt(1 - c.rho) * own
        frames.append(
            pl.DataFrame(
                {
                    "run": np.full(DRAWS, run, dtype=np.int64),
                    "sample": np.arange(DRAWS, dtype=np.int32),
                    "level": c.level_sd * mixed[0],
                    "slope": c.slope_sd * mixed[1],
                }
            )
        )
    schema = {"run": pl.Int64, "sample": pl.Int32, "level": pl.Float64, "slope": pl.Float64}
    return pl.concat(frames) if frames else pl.DataFrame(schema=schema)


def _runs_by_series(in_use: pl.DataFrame) -> dict[tuple[str, str], tuple[list[int], list[int]]]:
    """(metric, team) -> (its good runs, its failed runs), from `runs_in_use` in one pass."""
    runs: dict[tuple[str, str], tuple[list[int], list[int]]] = {}
    for run, metric, team, status in in_use.select("run", "metric", "team", "status").iter_rows():
        ok, failed = runs.setdefault((metric, team), ([], []))
        (ok if status == "ok" else failed).append(run)
    return runs


def _record(
    job: SeriesJob, result: SeriesResult, purpose: str, goal: str | None, at: dt.datetime
) -> fs.RunRecord:
    observed = job.history.filter(pl.col("y").is_not_null())["day"]
    if not observed.is_empty():  # the fit uses only the last MAX_TRAIN_DAYS of the history
        observed = observed.filter(observed > observed.max() - dt.timedelta(days=MAX_TRAIN_DAYS))
    return fs.RunRecord(
        purpose=purpose,
        goal=goal,
        metric=job.metric,
        team=job.team,
        input_hash=result.input_hash,
        settings=result.settings_json or "{}",
        selection=result.selection_json,
        country=job.country,
        masked_days=job.masked.len(),
        train_start=observed.min(),
        train_end=observed.max(),
        forecast_start=job.days.min(),
        forecast_end=job.days.max(),
        created_at=at,
        fit_seconds=result.seconds,
        status="ok" if result.ok else "failed",
        error=result.error,
    )


def _backtest_row(result: SeriesResult, at: dt.datetime) -> dict:
    backtest = result.backtest
    assert backtest is not None
    return {
        "input_hash": result.input_hash,
        "horizon": backtest.horizon,
        "settings": backtest.settings_json,
        "created_at": at,
        "train_days": backtest.train_days,
        "model_mape": backtest.model.mape,
        "model_smape": backtest.model.smape,
        "coverage": backtest.model.coverage,
        "naive_mape": backtest.seasonal_naive.mape,
        "naive_smape": backtest.seasonal_naive.smape,
    }


def _outcome(
    job: SeriesJob,
    outcome: Outcome,
    reason: str | None,
    run: int | None,
    seconds: float = 0.0,
) -> SeriesOutcome:
    return SeriesOutcome(job.metric, job.team, outcome, reason, run, seconds)


def _now() -> dt.datetime:
    return dt.datetime.now().replace(microsecond=0)
