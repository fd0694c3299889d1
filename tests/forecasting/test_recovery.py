"""On the demo company, the natural baseline recovers what the generator planted.

The demo store knows its truth: `demo_truth_natural` (each series with no operations work) and
`demo_truth_effects` (what every initiative added or took away). The goal period is the demo's
current year; its baseline is fitted on the years before it only.
"""

from __future__ import annotations

import shutil

import polars as pl
import pytest

from forecasting.inputs import read_inputs, series_job
from forecasting.jobs import Purpose
from forecasting.model import date_range
from forecasting.pool import run_jobs
from forecasting.runner import freeze_goal_baseline
from metrics.forecasts import reads as fs
from metrics.store.connection import open_store
from tests.forecasting.factories import add_goal, shared_build

pytestmark = pytest.mark.slow
STORED_METRICS = ("dau", "gmv", "new_users", "orders", "visitors")
COMMERCE = ("promotions", "merchandising")  # the teams whose campaigns target GMV


@pytest.fixture(scope="session")
def recovery_store(demo_goal_store, tmp_path_factory):
    """The demo with a goal per stored metric over the demo goal's period, all frozen, built
    once per run: (path, {metric: goal}). Series the demo goal already froze are copied by
    input hash, not refitted."""

    def build(path):
        shutil.copyfile(demo_goal_store, path)
        with open_store(path) as con:
            (goal, metric, start, end) = con.execute(
                "select goal, metric, start_day, end_day from goals order by goal limit 1"
            ).fetchall()[0]
            goals = {metric: goal}
            for other in sorted(set(STORED_METRICS) - {metric}):
                goals[other] = f"recovery_{other}"
                add_goal(con, goals[other], other, start, end)
        for goal_id in goals.values():
            report = freeze_goal_baseline(path, goal_id)
            assert not report.failed, report.summary()
        return goals

    return shared_build(tmp_path_factory, "recovery_demo", build)


def company(con, goal: str, metric: str) -> pl.DataFrame:
    """Daily company natural: the baseline summed over teams, beside the planted truth."""
    baseline = fs.goal_baseline(con, goal).filter(metric=metric)
    summed = baseline.group_by("day").agg(pl.col("yhat").sum())
    truth = con.sql(
        "select day, sum(value) as truth from demo_truth_natural where metric = $m group by day",
        params={"m": metric},
    ).pl()
    return summed.join(truth, on="day")


@pytest.mark.parametrize("metric", STORED_METRICS)
def test_company_baseline_recovers_the_planted_natural_series(recovery_store, metric):
    path, goals = recovery_store
    with open_store(path, read_only=True) as con:
        both = company(con, goals[metric], metric)
    assert both.height >= 300  # the current year up to the demo's last day
    mape = ((both["yhat"] - both["truth"]).abs() / both["truth"]).mean()
    assert mape <= 0.05


def uplift_error(con, baseline: pl.DataFrame) -> float:
    """Sum over series of |measured uplift - planted effect| over the goal period's data."""
    actual = con.sql("select day, metric, team, value as actual from observations").pl()
    effects = con.sql(
        "select metric, team, sum(effect) as planted from demo_truth_effects"
        " where day between $first and $last group by all",
        params={"first": baseline["day"].min(), "last": actual["day"].max()},
    ).pl()
    measured = (
        baseline.join(actual, on=["day", "metric", "team"])
        .group_by("metric", "team")
        .agg(uplift=(pl.col("actual") - pl.col("yhat")).sum())
        .join(effects, on=["metric", "team"], how="left")
        .with_columns(pl.col("planted").fill_null(0.0))
    )
    return float((measured["uplift"] - measured["planted"]).abs().sum())


def test_masking_initiatives_recovers_uplift_better_than_not_masking(recovery_store):
    """The commerce teams' GMV baselines with initiative days masked (as frozen) against the
    same fits with nothing masked: unmasked, their yearly campaigns look like natural growth
    and eat the uplift (and last year's planted payback drags the baseline down)."""
    path, goals = recovery_store
    with open_store(path, read_only=True) as con:
        period = fs.goal_period(con, goals["gmv"])
        masked = fs.goal_baseline(con, goals["gmv"]).filter(
            pl.col("metric") == "gmv", pl.col("team").is_in(COMMERCE)
        )
        series = sorted(set(masked.select("metric", "team").iter_rows()))
        inputs = read_inputs(con, series, "goal", period.goal, None)
    days = date_range(period.start_day, period.end_day)
    jobs = [
        series_job(
            inputs, m, t, before=period.start_day, days=days, purpose=Purpose.GOAL,
            policy=None,
        )
        for m, t in series
    ]  # fmt: skip
    results = run_jobs([(job, job.input_hash()) for job in jobs])
    unmasked = pl.concat(
        result.forecast.select("day", "yhat").with_columns(metric=pl.lit(m), team=pl.lit(t))
        for (m, t), result in zip(series, results, strict=True)
    )
    with open_store(path, read_only=True) as con:
        with_mask, without = uplift_error(con, masked), uplift_error(con, unmasked)
    assert len(series) == 2 and with_mask < 0.8 * without
