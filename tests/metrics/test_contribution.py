"""Contribution above natural growth: parts add up to the company, intervals come from paths."""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl
import pytest

from metrics.contribution.measurement import (
    COMPANY,
    Roles,
    group_maps,
    require_complete,
    summarise,
    team_draws,
    with_shares,
)
from metrics.contribution.report import build_report
from metrics.plan.checkins import add_checkin
from metrics.store.catalog import MetricKind
from metrics.store.connection import memory_store, open_store
from metrics.store.errors import DataopsError
from tests.metrics.contribution_factories import FLOW, LEVEL, RATIO, window_inputs
from tests.metrics.contribution_store import AS_OF, DEMO_GOAL
from tests.metrics.contribution_store import build as build_store

TEAMS = pl.DataFrame({"team": ["a", "b", "unassigned"], "department": ["x", "x", "unassigned"]})


def sums_of(rows) -> pl.DataFrame:
    return pl.DataFrame(rows, schema=["metric", "team", "actual", "natural"], orient="row")


def no_samples() -> pl.DataFrame:
    schema = {"metric": pl.String, "team": pl.String, "sample": pl.Int64, "value": pl.Float64}
    return pl.DataFrame(schema=schema)


def measured(metric, sums, samples, teams, level, days=30) -> pl.DataFrame:
    draws = team_draws(metric, sums, samples, days=days)
    return summarise(draws, group_maps(teams)[level], metric.kind)


def uplifts(frame: pl.DataFrame) -> dict[str, float]:
    return dict(frame.select("group", "uplift").iter_rows())


def independent_company_uplift(metric, sums: pl.DataFrame, days: int) -> float:
    """The company's uplift from company totals alone, without any team split."""
    total = sums.group_by("metric").agg(pl.col("actual", "natural").sum())
    value = {row["metric"]: (row["actual"], row["natural"]) for row in total.to_dicts()}
    if metric.kind is MetricKind.RATIO:
        (na, nn), (da, dn) = value[metric.numerator], value[metric.denominator]
        return na / da - nn / dn
    actual, natural = value[metric.metric]
    return (actual - natural) / (days if metric.kind is MetricKind.LEVEL else 1)


HAND_CASES = [
    pytest.param(
        FLOW,
        [("gmv", "a", 120.0, 100.0), ("gmv", "b", 90.0, 100.0), ("gmv", "unassigned", 50, 50)],
        {"a": 20.0, "b": -10.0, "unassigned": 0.0},
        id="flow: totals",
    ),
    pytest.param(
        LEVEL,
        [("dau", "a", 300.0, 240.0), ("dau", "b", 300.0, 330.0), ("dau", "unassigned", 90, 60)],
        {"a": 2.0, "b": -1.0, "unassigned": 1.0},  # per day over 30 days
        id="level: averages per day",
    ),
    pytest.param(
        RATIO,
        [
            ("orders", "a", 20.0, 10.0),
            ("visitors", "a", 100.0, 100.0),
            ("orders", "b", 10.0, 10.0),
            ("visitors", "b", 50.0, 100.0),
            ("orders", "unassigned", 10.0, 10.0),
            ("visitors", "unassigned", 100.0, 100.0),
        ],
        None,  # Shapley; checked for adding up only
        id="ratio: Shapley",
    ),
]


@pytest.mark.parametrize(("metric", "rows", "expected"), HAND_CASES)
def test_team_uplifts_add_up_to_the_company_uplift(metric, rows, expected):
    sums = sums_of(rows)
    teams = uplifts(measured(metric, sums, no_samples(), TEAMS, "team"))
    company = uplifts(measured(metric, sums, no_samples(), TEAMS, COMPANY))[COMPANY]
    if expected is not None:
        assert teams == pytest.approx(expected)
    assert sum(teams.values()) == pytest.approx(company, rel=1e-12, abs=1e-15)
    assert company == pytest.approx(independent_company_uplift(metric, sums, 30), rel=1e-12)


@pytest.mark.parametrize("metric", [FLOW, LEVEL, RATIO], ids=lambda m: m.kind.value)
@pytest.mark.parametrize(("seed", "teams"), [(1, 2), (2, 6), (3, 12), (4, 15)])
def test_conservation_on_random_companies(metric, seed, teams):
    sums, samples, roster = window_inputs(seed, teams, metric)
    draws = team_draws(metric, sums, samples, days=30)
    by_team, by_department, company = (
        summarise(draws, groups, metric.kind) for groups in group_maps(roster).values()
    )
    total = company["uplift"].item()
    assert by_team["uplift"].sum() == pytest.approx(total, rel=1e-10, abs=1e-14)
    assert by_department["uplift"].sum() == pytest.approx(total, rel=1e-10, abs=1e-14)
    assert total == pytest.approx(independent_company_uplift(metric, sums, 30), rel=1e-10)


def test_interval_is_the_spread_of_the_window_total_over_sampled_paths():
    sums = sums_of([("gmv", "a", 1100.0, 1000.0)])
    paths = [980.0, 990.0, 1000.0, 1010.0, 1020.0]
    samples = pl.DataFrame({"metric": "gmv", "team": "a", "sample": range(5), "value": paths})
    row = measured(FLOW, sums, samples, TEAMS.head(1), "team").row(0, named=True)
    expected = np.quantile(1100.0 - np.array(paths), [0.1, 0.9])
    assert (row["uplift_lower"], row["uplift_upper"]) == pytest.approx(tuple(expected))
    assert row["distinguishable"] is True


@pytest.mark.parametrize(
    ("actual", "distinguishable"),
    [(1000.0, False), (1015.0, False), (1200.0, True), (800.0, True)],
)
def test_uplift_inside_the_baselines_interval_is_not_distinguishable(actual, distinguishable):
    sums = sums_of([("gmv", "a", actual, 1000.0)])
    rng = np.random.default_rng(0)
    values = 1000.0 * rng.normal(1.0, 0.02, 200)
    samples = pl.DataFrame({"metric": "gmv", "team": "a", "sample": range(200), "value": values})
    row = measured(FLOW, sums, samples, TEAMS.head(1), "team").row(0, named=True)
    assert row["distinguishable"] is distinguishable


def test_without_sampled_paths_the_interval_is_unknown_not_zero():
    sums = sums_of([("gmv", "a", 1100.0, 1000.0)])
    row = measured(FLOW, sums, no_samples(), TEAMS.head(1), "team").row(0, named=True)
    assert row["uplift_lower"] is None and row["distinguishable"] is None


@pytest.mark.parametrize(
    ("company_uplift", "gap", "share_of_uplift", "share_of_gap"),
    [(40.0, 80.0, 0.5, 0.25), (0.0, 80.0, None, 0.25), (40.0, 0.0, 0.5, None)],
)
def test_shares_are_null_when_there_is_nothing_to_share(
    company_uplift, gap, share_of_uplift, share_of_gap
):
    frame = with_shares(pl.DataFrame({"uplift": [20.0]}), company_uplift, gap)
    assert frame.row(0, named=True) == {
        "uplift": 20.0,
        "share_of_uplift": share_of_uplift,
        "share_of_gap": share_of_gap,
    }


def test_a_series_without_baseline_is_refused_naming_it():
    sums = sums_of([("orders", "a", 10.0, 9.0), ("visitors", "a", 100.0, 90.0)])
    with pytest.raises(DataopsError, match=r"orders/b.*visitors/b.*refit the goal"):
        require_complete(sums, Roles.of(RATIO), ["a", "b"])


# --- the report on a seeded store (no model fitting: the factory writes the baseline) ---------

GOAL_METRICS = ["gmv", "dau", "conversion"]


@pytest.fixture(scope="module", params=GOAL_METRICS)
def measured_store(request):
    con = memory_store()
    goal = build_store(con, request.param)
    yield con, goal, build_report(con, goal)
    con.close()


def company_uplift_from_sql(con, report) -> float:
    """actual - natural of the whole company to date, from company totals alone."""
    metric, start, as_of = report.metric, report.goal.start_day, report.as_of
    totals = dict(
        con.execute(
            "select o.metric, sum(o.value) from observations o"
            " where list_contains($m, o.metric) and o.day between $s and $e group by o.metric",
            {"m": list(metric.stored_metrics), "s": start, "e": as_of},
        ).fetchall()
    )
    natural = dict(
        con.execute(
            "select r.metric, sum(f.yhat) from forecast_runs r join forecasts f using (run)"
            " where list_contains($m, r.metric) and f.day between $s and $e group by r.metric",
            {"m": list(metric.stored_metrics), "s": start, "e": as_of},
        ).fetchall()
    )
    if metric.kind is MetricKind.RATIO:
        num, den = metric.numerator, metric.denominator
        return totals[num] / totals[den] - natural[num] / natural[den]
    days = (as_of - start).days + 1 if metric.kind is MetricKind.LEVEL else 1
    return (totals[metric.metric] - natural[metric.metric]) / days


def test_report_team_uplifts_add_up_to_the_company_for_every_kind(measured_store):
    con, _, report = measured_store
    company = report.company.uplift_to_date
    assert company == pytest.approx(company_uplift_from_sql(con, report), rel=1e-9)
    assert report.teams["uplift"].sum() == pytest.approx(company, rel=1e-9)
    assert report.departments["uplift"].sum() == pytest.approx(company, rel=1e-9)
    assert "unassigned" in report.teams["team"].to_list()


def test_every_month_adds_up_too(measured_store):
    _, _, report = measured_store
    months = report.months.group_by("month", "level").agg(pl.col("uplift").sum())
    wide = months.pivot("level", index="month", values="uplift")
    for row in wide.iter_rows(named=True):
        assert row["team"] == pytest.approx(row["company"], rel=1e-9, abs=1e-12)
        assert row["department"] == pytest.approx(row["company"], rel=1e-9, abs=1e-12)


@pytest.mark.parametrize("measured_store", ["gmv", "dau"], indirect=True)
def test_team_targets_add_up_to_the_company_target(measured_store):
    """Flow totals and level averages add up; shares of every phase sum to 100%."""
    _, _, report = measured_store
    assert report.teams["target"].sum() == pytest.approx(report.company.target_to_date, rel=1e-9)


# --- the demo company: measured against what its generator planted ----------------------------


@pytest.fixture(scope="module")
def demo(demo_goal_store):
    with open_store(demo_goal_store, read_only=True) as con:
        report = build_report(con, DEMO_GOAL)
        truth = planted_by_team(con, report)
        company = company_uplift_from_sql(con, report)
    return report, truth, company


def planted_by_team(con, report) -> dict[str, tuple[float, float]]:
    """team -> (planted uplift, planted natural total) on the goal metric, goal period to date."""
    rows = con.execute(
        "select n.team, coalesce(e.effect, 0), n.natural from"
        " (select team, sum(value) as natural from demo_truth_natural"
        "  where metric = $m and day between $s and $e group by team) n left join"
        " (select team, sum(effect) as effect from demo_truth_effects"
        "  where metric = $m and day between $s and $e group by team) e using (team)",
        {"m": report.metric.metric, "s": report.goal.start_day, "e": report.as_of},
    ).fetchall()
    return {team: (effect, natural) for team, effect, natural in rows}


def uplift_misses(report, truth: dict[str, tuple[float, float]]) -> dict[str, tuple[int, int]]:
    """Teams whose measured uplift is further from the planted one than 20% of it plus 1.5% of
    the team's natural total (the acceptance bar): team -> (measured, planted)."""
    measured = dict(report.teams.select("team", "uplift").iter_rows())
    assert measured.keys() == truth.keys()
    return {
        team: (round(measured[team]), round(planted))
        for team, (planted, natural) in truth.items()
        if abs(measured[team] - planted) > 0.2 * abs(planted) + 0.015 * natural
    }


def test_every_teams_uplift_recovers_what_the_demo_planted(demo):
    report, truth, _ = demo
    assert uplift_misses(report, truth) == {}


def test_on_the_demo_teams_and_departments_add_up_to_the_company(demo):
    report, _, company = demo
    assert report.company.uplift_to_date == pytest.approx(company, rel=1e-9)
    assert report.teams["uplift"].sum() == pytest.approx(company, rel=1e-9)
    assert report.departments["uplift"].sum() == pytest.approx(company, rel=1e-9)


def test_a_goal_whose_monthly_targets_are_pending_still_measures_uplift():
    con = memory_store()
    goal = build_store(con, "gmv")
    con.execute("delete from goal_targets where goal = $goal", {"goal": goal})
    report = build_report(con, goal)
    con.close()
    assert report.company.target_to_date is None and report.company.status is None
    assert report.teams["target"].is_null().all() and report.teams["status"].is_null().all()
    assert report.teams["uplift"].sum() == pytest.approx(report.company.uplift_to_date)


def test_a_review_of_a_past_day_leaves_out_checkins_written_after_it():
    con = memory_store()
    goal = build_store(con, "gmv")
    add_checkin(con, "promo", goal, "ana", "at_risk", problems="618 stock arrived late")

    def said_by_promo(as_of=None) -> list[str]:
        review = build_report(con, goal, as_of).review
        return (
            review.filter(pl.col("group") == "promo")["problems"].explode().drop_nulls().to_list()
        )

    latest, looking_back = said_by_promo(), said_by_promo(AS_OF - dt.timedelta(days=30))
    con.close()
    assert len(latest) == 1 and latest[0].endswith("ana: 618 stock arrived late")
    assert looking_back == []
