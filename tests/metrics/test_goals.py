"""Goals in the store: saving, decomposing, overrides, history, concurrency and thresholds."""

from __future__ import annotations

import datetime as dt
import json
import threading

import polars as pl
import pytest

from metrics.plan import decomposition as dec
from metrics.plan.edits import set_goal
from metrics.plan.goals import (
    Goal,
    Status,
    StatusThresholds,
    goal_changes,
    list_goals,
    load_goal,
    monthly_targets,
    set_status_thresholds,
    status_thresholds,
)
from metrics.plan.months import override_month, redecompose
from metrics.store.catalog import MetricKind
from metrics.store.connection import open_store
from metrics.store.errors import DataopsError, ValidationFailed
from tests.metrics.plan_factories import (
    GOAL_YEAR,
    baseline_frame,
    freeze_baseline,
    seed_company,
)

START, END = dt.date(GOAL_YEAR, 1, 10), dt.date(GOAL_YEAR, 12, 31)
TARGETS = {"gmv": 1.6e9, "dau": 175_000.0, "conversion": 0.036}
KIND = {"gmv": MetricKind.FLOW, "dau": MetricKind.LEVEL, "conversion": MetricKind.RATIO}
TACTICS = pl.DataFrame(
    {
        "month": [dt.date(GOAL_YEAR, 1, 1), dt.date(GOAL_YEAR, 6, 1), dt.date(GOAL_YEAR, 11, 1)],
        "tactic": ["spring_festival", "618", "double_11"],
        "weight": [2.0, 3.0, 5.0],
    }
)


@pytest.fixture
def company(con):
    seed_company(con)
    return con


@pytest.fixture
def baseline():
    return baseline_frame(START, END)


def goal_of(of: str, method: dec.Method = dec.Method.EVEN, **changes) -> Goal:
    values = dict(id=f"{of}_{GOAL_YEAR}", name="", metric=of, start_day=START)
    values |= dict(end_day=END, target=TARGETS[of], method=method) | changes
    return Goal(**values)


def period_target(con, goal_id: str, kind: MetricKind) -> float:
    return dec.period_value(kind, monthly_targets(con, goal_id))


@pytest.mark.parametrize("metric", ["gmv", "dau", "conversion"])
@pytest.mark.parametrize("method", list(dec.Method))
def test_saved_monthly_targets_reproduce_the_target(company, baseline, metric, method):
    tactics = TACTICS if method is dec.Method.TACTIC else None
    saved = set_goal(company, goal_of(metric, method), "ana", tactics=tactics, baseline=baseline)
    assert not saved.pending
    assert period_target(company, saved.goal.id, KIND[metric]) == pytest.approx(
        TARGETS[metric], rel=1e-12
    )
    stored = monthly_targets(company, saved.goal.id)
    assert stored["days"][0] == 22 and stored.height == 12  # January starts on the 10th
    assert not stored["overridden"].any()


def test_last_year_follows_last_years_shape(company):
    set_goal(company, goal_of("gmv", dec.Method.LAST_YEAR), "ana")
    targets = monthly_targets(company, f"gmv_{GOAL_YEAR}")
    last_year = company.sql(  # the same days a year earlier: January from the 10th
        "select date_trunc('month', day) + interval 1 year as month, sum(value) / count("
        "distinct day) as per_day from observations where metric = 'gmv'"
        " and day >= $start - interval 1 year and strftime(day, '%m-%d') != '02-29'"
        " group by 1 order by 1",
        params={"start": START},
    ).pl()
    per_day = targets.join(last_year.cast({"month": pl.Date}), on="month").with_columns(
        ratio=pl.col("target") / pl.col("days") / pl.col("per_day")
    )
    assert per_day["ratio"].max() == pytest.approx(per_day["ratio"].min(), rel=1e-9)


def test_a_new_goal_and_each_change_are_kept_with_who_and_what(company, baseline):
    set_goal(company, goal_of("gmv"), "ana")
    set_goal(company, goal_of("gmv", target=1.8e9), "ben")
    changes = goal_changes(company, f"gmv_{GOAL_YEAR}")
    assert changes["action"].to_list() == ["created", "changed"]
    assert changes["changed_by"].to_list() == ["ana", "ben"]
    detail = json.loads(changes["detail"][1])
    assert detail["before"]["goal"]["target"] == 1.6e9
    assert detail["after"]["goal"]["target"] == 1.8e9
    goal = load_goal(company, f"gmv_{GOAL_YEAR}")
    assert (goal.created_by, goal.updated_by, goal.name) == ("ana", "ben", f"gmv_{GOAL_YEAR}")


def test_an_override_is_kept_marked_and_the_other_months_absorb_it(company, baseline):
    set_goal(company, goal_of("gmv", dec.Method.TACTIC), "ana", tactics=TACTICS, baseline=baseline)
    march = dt.date(GOAL_YEAR, 3, 1)
    override_month(company, f"gmv_{GOAL_YEAR}", march, 2e8, "ben", note="store opening")
    targets = monthly_targets(company, f"gmv_{GOAL_YEAR}")
    row = targets.filter(pl.col("month") == march).row(0, named=True)
    assert (row["target"], row["overridden"], row["note"]) == (2e8, True, "store opening")
    assert targets["target"].sum() == pytest.approx(TARGETS["gmv"], rel=1e-12)
    assert goal_changes(company, f"gmv_{GOAL_YEAR}")["action"][-1] == "month_overridden"

    saved = set_goal(
        company, goal_of("gmv", dec.Method.NATURAL, target=1.7e9), "cy", baseline=baseline
    )
    assert saved.overrides["month"].to_list() == [march]
    assert any("kept 1 hand override" in message for message in saved.messages)
    targets = monthly_targets(company, f"gmv_{GOAL_YEAR}")
    assert targets.filter(pl.col("month") == march)["target"].item() == 2e8
    assert targets["target"].sum() == pytest.approx(1.7e9, rel=1e-12)


def test_an_override_outside_a_new_period_is_refused_unless_cleared(company):
    set_goal(company, goal_of("gmv"), "ana")
    override_month(company, f"gmv_{GOAL_YEAR}", dt.date(GOAL_YEAR, 12, 1), 2e8, "ana")
    shorter = goal_of("gmv", end_day=dt.date(GOAL_YEAR, 11, 30))
    with pytest.raises(DataopsError, match="clear the months set by hand"):
        set_goal(company, shorter, "ben")
    assert load_goal(company, f"gmv_{GOAL_YEAR}").end_day == END  # nothing was written
    saved = set_goal(company, shorter, "ben", clear_overrides=True)
    assert saved.messages == ("cleared 1 month(s) set by hand (they stay in the history)",)
    assert not monthly_targets(company, f"gmv_{GOAL_YEAR}")["overridden"].any()


def test_clearing_an_override_restores_the_method_targets(company):
    set_goal(company, goal_of("gmv"), "ana")
    before = monthly_targets(company, f"gmv_{GOAL_YEAR}")
    override_month(company, f"gmv_{GOAL_YEAR}", dt.date(GOAL_YEAR, 5, 1), 1e8, "ana")
    override_month(company, f"gmv_{GOAL_YEAR}", dt.date(GOAL_YEAR, 5, 1), None, "ana")
    after = monthly_targets(company, f"gmv_{GOAL_YEAR}")
    assert after["target"].to_list() == pytest.approx(before["target"].to_list(), rel=1e-12)
    assert goal_changes(company, f"gmv_{GOAL_YEAR}")["action"][-1] == "override_cleared"


def test_a_goal_waits_for_its_baseline_then_decomposes(company, baseline):
    goal = goal_of("gmv", dec.Method.TACTIC)
    saved = set_goal(company, goal, "ana", tactics=TACTICS, decompose=False)
    assert saved.pending and monthly_targets(company, goal.id).is_empty()
    with pytest.raises(DataopsError, match="none is frozen"):
        redecompose(company, goal.id, "ana")
    freeze_baseline(company, goal.id, baseline)
    redecompose(company, goal.id, "ana")
    assert period_target(company, goal.id, MetricKind.FLOW) == pytest.approx(TARGETS["gmv"])
    assert goal_changes(company, goal.id)["action"].to_list() == ["created", "decomposed"]


@pytest.mark.parametrize(
    ("changes", "tactics", "message"),
    [
        ({"metric": "nps", "id": "a b", "end_day": dt.date(2024, 1, 1)}, None, "3 problems"),
        ({"target": float("nan")}, None, "is not a number"),
        ({}, TACTICS, "tactic weights are only used by method tactic"),
        ({"method": dec.Method.TACTIC}, None, "give tactic weights"),
        ({"method": dec.Method.NATURAL}, None, "none is frozen"),
        ({"id": "[c](javascript:alert(5))"}, None, "column 'goal'.*is not a valid id"),
        ({"id": "![x](http://evil.example/x.png)"}, None, "letters, digits and _ - ."),
        ({"id": "x" * 65}, None, "is not a valid id"),
        ({"start_day": dt.date(1, 1, 1), "end_day": dt.date(9999, 12, 31)}, None, "5 years"),
        ({"end_day": dt.date(GOAL_YEAR + 5, 1, 1)}, None, "longer than 5 years"),
        (
            {"start_day": dt.date(1990, 1, 1), "end_day": dt.date(1990, 12, 31)},
            None,
            "before the data",
        ),
        ({"target": 0.0}, None, "column 'target', value '0.0': is not positive"),
        ({"target": -5e9}, None, "is not positive"),
    ],
)
def test_bad_goals_are_refused_whole(company, changes, tactics, message):
    with pytest.raises((DataopsError, ValidationFailed), match=message) as raised:
        set_goal(company, goal_of("gmv", **changes), "ana", tactics=tactics)
    assert "Fix" in str(raised.value)
    assert list_goals(company).is_empty()


@pytest.mark.parametrize("goal_id", ["gmv_2026", "Q1-2026.gmv", "a", "x" * 64])
def test_ids_of_letters_digits_and_underscore_dash_dot_are_accepted(company, goal_id):
    assert set_goal(company, goal_of("gmv", id=goal_id), "ana").goal.id == goal_id


def test_a_lower_is_better_or_level_goal_may_aim_at_zero(company):
    # only a flow where more is better cannot aim at zero or less (e.g. refunds may)
    with pytest.raises(ValidationFailed, match="is not positive"):
        set_goal(company, goal_of("gmv", target=0.0), "ana")
    assert set_goal(company, goal_of("dau", target=0.0), "ana").goal.target == 0.0


def test_unknown_goal_names_the_goals_that_exist(company):
    set_goal(company, goal_of("gmv"), "ana")
    with pytest.raises(DataopsError, match=f"use one of gmv_{GOAL_YEAR}"):
        load_goal(company, "gmv_1999")


def test_two_people_saving_at_once_both_land_in_the_history(tmp_path):
    path = tmp_path / "store.duckdb"
    with open_store(path) as con:
        seed_company(con)
        set_goal(con, goal_of("gmv"), "ana")
    barrier = threading.Barrier(2)

    def save(person: str, target: float) -> None:
        barrier.wait()
        with open_store(path) as con:
            set_goal(con, goal_of("gmv", target=target), person)

    threads = [threading.Thread(target=save, args=p) for p in (("ben", 1.7e9), ("cy", 1.9e9))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    with open_store(path, read_only=True) as con:
        changes = goal_changes(con, f"gmv_{GOAL_YEAR}")
        final = load_goal(con, f"gmv_{GOAL_YEAR}").target
    assert sorted(changes["changed_by"][1:].to_list()) == ["ben", "cy"]
    first, second = (json.loads(detail) for detail in changes["detail"][1:])
    assert second["before"]["goal"]["target"] == first["after"]["goal"]["target"]  # not lost
    assert final == second["after"]["goal"]["target"]


@pytest.mark.parametrize(
    ("pace", "status"),
    [
        (1.2, Status.ON_TRACK),
        (1.0, Status.ON_TRACK),
        (0.95, Status.AT_RISK),
        (0.5, Status.OFF_TRACK),
    ],
)
def test_default_thresholds(con, pace, status):
    assert status_thresholds(con) == StatusThresholds(1.0, 0.9)
    assert status_thresholds(con).status(pace) is status


def test_thresholds_are_saved_in_settings(con):
    set_status_thresholds(con, StatusThresholds(on_track=0.98, at_risk=0.8))
    assert status_thresholds(con) == StatusThresholds(0.98, 0.8)
    assert status_thresholds(con).status(0.85) is Status.AT_RISK


@pytest.mark.parametrize(
    ("on_track", "at_risk", "message"),
    [(0.8, 0.9, "at_risk \\(0.9\\) is above on_track"), (-1.0, float("inf"), "2 problems")],
)
def test_bad_thresholds_are_refused(con, on_track, at_risk, message):
    with pytest.raises(ValidationFailed, match=message):
        set_status_thresholds(con, StatusThresholds(on_track, at_risk))
    assert status_thresholds(con) == StatusThresholds()
