"""The batch runner against a store: frozen goal baselines, rolling forecasts, cache, failures."""

from __future__ import annotations

import datetime as dt
import shutil

import polars as pl
import pytest

from forecasting.runner import freeze_goal_baseline, refresh_rolling
from metrics.forecasts import reads as fs
from metrics.store.connection import open_store
from tests.forecasting.factories import (
    GOAL,
    GOAL_END,
    GOAL_START,
    append_days,
    build_store,
    shared_build,
)

pytestmark = pytest.mark.slow
FITTABLE = {"gmv / alpha", "gmv / beta", "gmv / unassigned"}
# Too new for a baseline before the goal, but a rolling forecast takes it: with no history for
# a backtest of its own, its interval borrows the other series' calibration.
ROLLING = FITTABLE | {"gmv / newbie"}


def labels(outcomes) -> set[str]:
    return {item.label for item in outcomes}


def read(path, query, *args):
    with open_store(path, read_only=True) as con:
        return query(con, *args)


def copy(path, tmp_path):
    target = tmp_path / "copy.duckdb"
    shutil.copyfile(path, target)
    return target


def correct_history(path, factor: float = 1.3) -> None:
    """A data correction before the goal's start: alpha's December GMV restated."""
    with open_store(path) as con:
        con.execute(
            "update observations set value = value * $f where team = 'alpha'"
            " and day between '2024-12-01' and '2024-12-31'",
            {"f": factor},
        )


def _freeze(path):
    build_store(path, newcomer=True)
    calls = []
    report = freeze_goal_baseline(path, GOAL, workers=2, progress=lambda *a: calls.append(a))
    return report, calls


@pytest.fixture(scope="session")
def frozen(tmp_path_factory):
    """The small store with goal `g` frozen once per run, over two worker processes:
    (path, report, progress calls). Read it, or copy it to write."""
    path, (report, calls) = shared_build(tmp_path_factory, "runner_frozen", _freeze)
    return path, report, calls


@pytest.fixture(scope="session")
def refreshed(frozen, tmp_path_factory):
    """`frozen` plus one rolling refresh: (path, report)."""

    def refresh(path):
        shutil.copyfile(frozen[0], path)
        return refresh_rolling(path, workers=1)

    return shared_build(tmp_path_factory, "runner_refreshed", refresh)


def test_a_failing_series_is_reported_and_the_others_still_fit(frozen):
    path, report, calls = frozen
    assert labels(report.fitted) == FITTABLE
    (failure,) = report.failed
    assert failure.label == "gmv / newbie" and "observed days" in failure.reason
    assert [call[:2] for call in calls] == [(n, 4) for n in range(1, 5)]
    runs = read(path, fs.goal_baseline_runs, GOAL)
    assert runs.filter(team="newbie")["status"].to_list() == ["failed"]
    assert "observed days" in runs.filter(team="newbie")["error"].item()


def test_the_frozen_baseline_covers_the_goal_period_with_intervals_and_paths(frozen):
    path, _, _ = frozen
    baseline = read(path, fs.goal_baseline, GOAL)
    assert tuple(baseline.columns) == fs.BASELINE_COLUMNS
    per_team = baseline.group_by("team").agg(
        first=pl.col("day").min(), last=pl.col("day").max(), days=pl.len()
    )
    assert set(per_team["team"]) == {"alpha", "beta", "unassigned"}
    assert set(per_team.select("first", "last", "days").iter_rows()) == {(GOAL_START, GOAL_END, 90)}
    assert baseline.filter(
        (pl.col("yhat_lower") > pl.col("yhat")) | (pl.col("yhat") > pl.col("yhat_upper"))
    ).is_empty()
    sums = read(path, fs.goal_baseline_sample_sums, GOAL, GOAL_START, GOAL_END)
    paths = sums.group_by("team").agg(pl.len(), pl.col("value").mean())
    totals = baseline.group_by("team").agg(pl.col("yhat").sum())
    both = paths.join(totals, on="team")
    assert set(both["len"]) == {200}
    assert ((both["value"] / both["yhat"] - 1).abs() < 0.05).all()


def test_the_frozen_baseline_is_calibrated_on_its_backtests(frozen):
    path, _, _ = frozen
    calibrations = read(path, fs.run_calibrations, "goal", GOAL)
    assert set(calibrations["team"]) == {"alpha", "beta", "unassigned"}
    assert (calibrations["backtest_errors"] > 0).all()
    assert calibrations["method"].str.contains("pooled over").all()
    assert (calibrations["half_width"] > 0).all() and (calibrations["half_width"] < 0.2).all()
    assert calibrations["coverage"].is_between(0, 1).all()


def test_a_second_freeze_fits_nothing(frozen, tmp_path):
    path = copy(frozen[0], tmp_path)
    before = read(path, fs.goal_baseline, GOAL)
    again = freeze_goal_baseline(path, GOAL, workers=1)
    assert again.fitted == () and labels(again.skipped) == FITTABLE
    assert labels(again.failed) == {"gmv / newbie"}  # retried, still too short, still reported
    assert read(path, fs.goal_baseline, GOAL).equals(before)


def test_a_frozen_baseline_never_changes_silently(frozen, tmp_path):
    path = copy(frozen[0], tmp_path)
    before = read(path, fs.goal_baseline, GOAL)
    correct_history(path)
    report = freeze_goal_baseline(path, GOAL, workers=1)
    assert report.fitted == () and "--rebaseline" in report.skipped[0].reason
    assert read(path, fs.goal_baseline, GOAL).equals(before)


def test_rebaseline_supersedes_the_old_runs_and_keeps_them(frozen, tmp_path):
    path = copy(frozen[0], tmp_path)
    old = read(path, fs.goal_baseline_runs, GOAL).filter(status="ok")
    correct_history(path)
    report = freeze_goal_baseline(path, GOAL, rebaseline=True, workers=1)
    assert labels(report.fitted) == {"gmv / alpha"}  # the others' inputs are unchanged: copied
    assert labels(report.skipped) == {"gmv / beta", "gmv / unassigned"}
    every = read(path, fs.goal_baseline_runs, GOAL, True)
    kept = every.filter(pl.col("run").is_in(old["run"].implode()))
    assert kept.height == 3 and kept["superseded_at"].null_count() == 0
    in_use = read(path, fs.goal_baseline, GOAL)
    assert set(in_use["run"]).isdisjoint(old["run"])
    alpha_new = in_use.filter(team="alpha")["yhat"].sum()
    with open_store(path, read_only=True) as con:
        alpha_old = con.sql(
            "select sum(yhat) from forecasts where run = $run",
            params={"run": old.filter(team="alpha")["run"].item()},
        ).fetchall()[0][0]
    assert alpha_new != pytest.approx(alpha_old, rel=1e-6)  # refitted on the corrected data


def test_rolling_refresh_leaves_the_frozen_goal_baseline_unchanged(frozen, refreshed):
    assert labels(refreshed[1].fitted) == ROLLING
    assert read(refreshed[0], fs.goal_baseline, GOAL).equals(
        read(frozen[0], fs.goal_baseline, GOAL)
    )


def test_rolling_forecast_covers_history_and_90_days_ahead_with_masked_days(refreshed):
    path, _ = refreshed
    alpha = read(path, fs.rolling_forecast, "gmv", "alpha")
    assert alpha["day"].max() == GOAL_END + dt.timedelta(days=90)
    assert alpha.filter(pl.col("day") > GOAL_END)["actual"].null_count() == 90
    masked = alpha.filter("masked")["day"]
    # three spring campaigns of ten days, each with its ten-day payback window
    assert masked.len() == 60 and set(masked.dt.month()) == {3}
    runs = read(path, fs.rolling_runs).filter(status="ok")
    assert set(runs["team"]) == {"alpha", "beta", "unassigned", "newbie"}
    backtested = runs.filter(pl.col("team") != "newbie")
    assert backtested["model_smape"].null_count() == 0 and (backtested["horizon"] == 90).all()
    newbie = read(path, fs.run_calibrations, "rolling", None).filter(team="newbie")
    assert "too short for its own backtest" in newbie["method"].item()


def test_only_series_whose_data_changed_are_refitted(refreshed, tmp_path):
    path = copy(refreshed[0], tmp_path)
    unchanged = refresh_rolling(path, workers=1)
    assert unchanged.fitted == () and labels(unchanged.skipped) == ROLLING
    append_days(path, "beta", 7)
    changed = refresh_rolling(path, workers=1)
    assert labels(changed.fitted) == {"gmv / beta"}
    assert labels(changed.skipped) == ROLLING - {"gmv / beta"}
    assert read(path, fs.rolling_runs).filter(team="beta", status="ok").height == 1


def test_a_goal_whose_period_moved_keeps_its_baseline_but_says_it_is_stale(frozen, tmp_path):
    path = copy(frozen[0], tmp_path)
    with open_store(path) as con:
        con.execute("update goals set end_day = '2025-06-30' where goal = $goal", {"goal": GOAL})
    report = freeze_goal_baseline(path, GOAL, workers=1)
    assert report.fitted == ()
    assert all(item.reason.startswith("STALE") for item in report.skipped)
    assert "2025-01-01..2025-03-31" in report.skipped[0].reason
