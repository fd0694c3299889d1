"""One team's review reads: its series against natural growth, its indicator per phase and the
intervals of its initiatives' uplift, checked against independent sums of the store's rows."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from metrics.contribution import team_queries as tq
from metrics.contribution.report import build_report
from metrics.store.connection import memory_store
from tests.metrics.contribution_store import AS_OF, END, START
from tests.metrics.contribution_store import build as build_store

TEAM = "promo"
LOW, HIGH = 0.1, 0.9


@pytest.fixture(scope="module", params=["gmv", "dau", "conversion"])
def store(request):
    con = memory_store()
    goal = build_store(con, request.param)
    yield con, goal, request.param
    con.close()


def daily_rows(con, team: str) -> pl.DataFrame:
    """The team's observations and baseline, wide by stored metric: day, <metric>_actual,
    <metric>_yhat."""
    return con.sql(
        """
        select f.day, r.metric, f.yhat, o.value as actual
        from forecast_runs r join forecasts f using (run)
        left join observations o on o.metric = r.metric and o.team = r.team and o.day = f.day
        where r.team = $team
        """,
        params={"team": team},
    ).pl()


def in_terms(frame: pl.DataFrame, metric: str, column: str, *, total: bool = False) -> float:
    """`metric` over `frame`'s days from its stored metrics' `column`: a ratio of sums, else the
    average per day (or, with `total`, a flow's total)."""
    wide = frame.pivot(on="metric", index="day", values=column)
    if metric == "conversion":
        return wide["orders"].sum() / wide["visitors"].sum()
    return wide[metric].sum() / (1 if total and metric != "dau" else wide.height)


def test_daily_buckets_are_the_teams_own_days(store):
    con, goal, metric = store
    frame = tq.team_vs_natural(con, goal, TEAM, tq.Grain.DAY, AS_OF)
    rows = daily_rows(con, TEAM)

    assert frame.height == (END - START).days + 1
    assert frame.filter(pl.col("actual").is_null())["period"].min() == AS_OF + dt.timedelta(1)
    for day in (START, dt.date(2025, 3, 12), AS_OF):
        one = rows.filter(day=day)
        row = frame.filter(period=day).row(0, named=True)
        assert row["actual"] == pytest.approx(in_terms(one, metric, "actual"))
        assert row["natural"] == pytest.approx(in_terms(one, metric, "yhat"))
        assert row["natural_lower"] < row["natural"] < row["natural_upper"]


def test_weekly_buckets_never_mix_measured_and_future_days(store):
    con, goal, metric = store
    frame = tq.team_vs_natural(con, goal, TEAM, tq.Grain.WEEK, AS_OF)
    rows = daily_rows(con, TEAM)
    starts = frame["period"].to_list()

    assert starts[0] == START and AS_OF + dt.timedelta(1) in starts
    assert frame["days"].sum() == (END - START).days + 1 and frame["days"].max() == 7
    for first, days in frame.select("period", "days").rows()[:3]:
        week = rows.filter(pl.col("day").is_between(first, first + dt.timedelta(days - 1)))
        expected = in_terms(week, metric, "actual")
        assert frame.filter(period=first)["actual"].item() == pytest.approx(expected)


def test_a_weeks_interval_is_the_spread_of_its_summed_paths(store):
    con, goal, metric = store
    frame = tq.team_vs_natural(con, goal, TEAM, tq.Grain.WEEK, AS_OF)
    first, days = frame.select("period", "days").row(5)
    paths = con.sql(
        "select s.sample, r.metric, sum(s.value) as value from forecast_runs r"
        " join forecast_samples s using (run) where r.team = $team"
        " and s.day between $first and $last group by all",
        params={"team": TEAM, "first": first, "last": first + dt.timedelta(days - 1)},
    ).pl()
    wide = paths.pivot(on="metric", index="sample", values="value")
    value = wide["orders"] / wide["visitors"] if metric == "conversion" else wide[metric] / days
    row = frame.filter(period=first).row(0, named=True)

    assert row["natural_lower"] == pytest.approx(value.quantile(LOW, interpolation="linear"))
    assert row["natural_upper"] == pytest.approx(value.quantile(HIGH, interpolation="linear"))


@pytest.mark.parametrize(
    ("as_of", "measured_days"),
    [(AS_OF, {"h1": 181, "h2": 59}), (dt.date(2025, 3, 31), {"h1": 90, "h2": 0})],
)
def test_indicator_stands_against_its_phase_target_scaled_to_the_days_measured(
    store, as_of, measured_days
):
    con, goal, metric = store
    standing = tq.indicator_standing(con, goal, TEAM, as_of)
    rows = daily_rows(con, TEAM)

    assert dict(standing.select("phase", "days").rows()) == measured_days
    for row in standing.iter_rows(named=True):
        if not row["days"]:
            assert row["actual"] is None and row["pace"] is None
            continue
        last = min(as_of, row["end_day"])
        seen = rows.filter(pl.col("day").is_between(row["start_day"], last))
        natural = in_terms(seen, metric, "yhat", total=True)
        target = natural * row["indicator_target"] / row["indicator_natural"]
        assert row["actual"] == pytest.approx(in_terms(seen, metric, "actual", total=True))
        assert row["target"] == pytest.approx(target)
        assert row["pace"] == pytest.approx(row["actual"] / target)


def test_initiative_intervals_hold_the_reports_point_uplift():
    con = memory_store()
    goal = build_store(con, "gmv")
    points = build_report(con, goal).initiatives.filter(team=TEAM)
    intervals = tq.initiative_intervals(con, goal, TEAM, AS_OF)
    both = points.join(intervals, on=["metric", "initiative"], nulls_equal=True)

    assert both.height == points.height  # every initiative and the unattributed rest
    inside = both.filter(pl.col("uplift").is_between("uplift_lower", "uplift_upper"))
    assert inside.filter(kind="initiative").height == points.filter(kind="initiative").height
    con.close()


def test_without_baseline_uncertainty_an_initiatives_interval_is_its_point():
    con = memory_store()
    goal = build_store(con, "gmv")
    con.execute("update calibrations set noise_sd = 0, level_sd = 0, slope_sd = 0")
    con.execute("update calibration_draws set level = 0, slope = 0")
    points = build_report(con, goal).initiatives.filter(team=TEAM)
    intervals = tq.initiative_intervals(con, goal, TEAM, AS_OF)
    both = points.join(intervals, on=["metric", "initiative"], nulls_equal=True)

    for uplift, lower, upper in both.select("uplift", "uplift_lower", "uplift_upper").rows():
        assert lower == pytest.approx(uplift) and upper == pytest.approx(uplift)
    con.close()


def test_initiative_windows_are_the_teams_own_inside_the_period(store):
    con, _, _ = store
    windows = tq.team_initiative_windows(con, TEAM, dt.date(2025, 4, 1), END)

    assert windows["initiative"].to_list() == ["member_days"]  # spring_sale ended in March
