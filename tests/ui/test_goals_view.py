"""The Goals page's pure parts: the live preview is what saving writes, tactics are checked by the
tactics file's own rules, month edits become the right overrides, a save's changes are listed."""

from __future__ import annotations

import datetime as dt
import json

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from metrics.plan import decomposition as dec
from metrics.plan.edits import set_goal
from metrics.plan.goals import Goal, goal_changes, monthly_targets
from metrics.plan.months import override_month
from metrics.store.errors import DataopsError
from tests.metrics.plan_factories import GOAL_YEAR, baseline_frame, freeze_baseline, seed_company
from ui import goal_changes as saving
from ui import goals_view as view

START, END = dt.date(GOAL_YEAR, 1, 10), dt.date(GOAL_YEAR, 12, 31)
TARGETS = {"gmv": 1.6e9, "dau": 175_000.0, "conversion": 0.036}
TACTICS = pl.DataFrame(
    {
        "month": [dt.date(GOAL_YEAR, 2, 1), dt.date(GOAL_YEAR, 6, 1), dt.date(GOAL_YEAR, 11, 1)],
        "tactic": ["Spring Festival", "618", "Double 11"],
        "weight": [2.0, 3.0, 5.0],
    }
)


def month(number: int) -> dt.date:
    return dt.date(GOAL_YEAR, number, 1)


@pytest.fixture
def company(con):
    seed_company(con)
    return con


def goal_of(metric: str, method: dec.Method, **changes) -> Goal:
    values = dict(goal=f"{metric}_goal", name="", metric=metric, start_day=START, end_day=END)
    return Goal(**values | dict(target=TARGETS[metric], method=method) | changes)


@pytest.mark.parametrize("metric", ["gmv", "dau", "conversion"])
@pytest.mark.parametrize("method", list(dec.Method))
@pytest.mark.parametrize("override", [None, (3, 0.5)], ids=["no override", "march halved"])
def test_the_preview_is_what_saving_writes(company, metric, method, override):
    goal = goal_of(metric, method)
    set_goal(company, goal_of(metric, dec.Method.EVEN), "ana")
    freeze_baseline(company, goal.goal, baseline_frame(START, END))
    overrides = view.stored_overrides(monthly_targets(company, goal.goal))
    if override:
        number, factor = override
        planned = monthly_targets(company, goal.goal).filter(pl.col("month") == month(number))
        override_month(company, goal.goal, month(number), planned["target"][0] * factor, "ana")
        overrides = view.stored_overrides(monthly_targets(company, goal.goal))
    inputs = view.preview_inputs(company, goal.goal, metric, START, END)
    tactics = TACTICS if method is dec.Method.TACTIC else None

    preview = view.preview_targets(inputs, method, goal.target, tactics, overrides)
    set_goal(company, goal, "ben", tactics=tactics)

    stored = monthly_targets(company, goal.goal)
    assert_frame_equal(
        preview.drop("natural", "note"), stored.drop("note"), rel_tol=1e-12, check_dtypes=False
    )
    assert preview["natural"].null_count() == 0
    assert preview["overridden"].sum() == (1 if override else 0)


def test_without_a_baseline_the_preview_has_no_natural_and_methods_that_need_it_refuse(company):
    inputs = view.preview_inputs(company, "new_goal", "gmv", START, END)
    assert not inputs.baseline_frozen and inputs.natural is None
    even = view.preview_targets(inputs, dec.Method.EVEN, 1.2e9, None, view.NO_OVERRIDES)
    assert even["natural"].null_count() == even.height
    assert even["target"].sum() == pytest.approx(1.2e9, rel=1e-12)
    with pytest.raises(DataopsError, match="natural baseline"):
        view.preview_targets(inputs, dec.Method.NATURAL, 1.2e9, None, view.NO_OVERRIDES)


def test_a_baseline_that_misses_the_new_period_is_reported_not_used(company):
    set_goal(company, goal_of("gmv", dec.Method.EVEN), "ana")
    freeze_baseline(company, "gmv_goal", baseline_frame(START, END))
    later = view.preview_inputs(company, "gmv_goal", "gmv", START, dt.date(GOAL_YEAR + 1, 2, 28))
    assert later.baseline_frozen and later.natural is None
    assert "does not cover every day" in later.natural_problem


def test_reference_values_are_last_years_and_the_natural_baselines_period_values(company):
    set_goal(company, goal_of("gmv", dec.Method.EVEN), "ana")
    freeze_baseline(company, "gmv_goal", baseline_frame(START, END))
    inputs = view.preview_inputs(company, "gmv_goal", "gmv", START, END)
    found = view.reference_values(inputs)
    assert found["natural baseline"] == pytest.approx(inputs.natural["natural"].sum())
    assert found["last year"] == pytest.approx(inputs.last_year["value"].sum())


def test_default_tactics_weigh_the_festivals_inside_the_period():
    months = dec.goal_months(dt.date(2025, 1, 1), dt.date(2025, 12, 31))
    festivals = pl.DataFrame(
        [
            ("spring_festival_runup", dt.date(2025, 1, 8), dt.date(2025, 1, 27)),
            ("spring_festival", dt.date(2025, 1, 28), dt.date(2025, 2, 4)),
            ("618", dt.date(2025, 6, 1), dt.date(2025, 6, 18)),
            ("double_11", dt.date(2025, 11, 1), dt.date(2025, 11, 11)),
            ("double_12", dt.date(2025, 12, 8), dt.date(2025, 12, 12)),
            ("double_11", dt.date(2024, 11, 1), dt.date(2024, 11, 11)),
            ("members_day", dt.date(2025, 3, 1), dt.date(2025, 3, 2)),
        ],
        schema=["event", "start_day", "end_day"],
        orient="row",
    )
    tactics = view.default_tactics(months, festivals)
    assert tactics.rows() == [
        ("2025-01", "New Year goods run-up", 4.0),
        ("2025-06", "618 shopping festival", 5.0),
        ("2025-11", "Double 11 (Singles' Day)", 6.0),
        ("2025-12", "Double 12", 1.5),
    ]


def test_a_festival_across_two_months_splits_its_weight_by_days():
    months = dec.goal_months(dt.date(2026, 1, 1), dt.date(2026, 3, 31))
    runup = pl.DataFrame(
        {"event": ["spring_festival_runup"], "start_day": [dt.date(2026, 1, 27)]}
    ).with_columns(end_day=pl.lit(dt.date(2026, 2, 15)))
    tactics = view.default_tactics(months, runup)
    assert tactics["month"].to_list() == ["2026-01", "2026-02"]
    assert tactics["weight"].to_list() == [1.0, 3.0]  # 5 of 20 days in January


@pytest.mark.parametrize(
    ("rows", "expected"),
    [
        ([("2025-02", "Spring Festival", 2.0)], []),
        ([("2024-12", "Too early", 1.0)], [(1, "month", "is outside the goal period")]),
        ([("2025-02", "", 1.0)], [(1, "tactic", "is empty")]),
        ([("2025-02", "A", 1.0), ("2025-03", "B", None)], [(2, "weight", "is not a weight")]),
        ([("2025-02", "A", 1.0), ("2025-02", "A", 2.0)], [(2, None, "repeats month 2025-02")]),
        ([("2025-02", "A", 0.0)], [(None, None, "has weights that add up to 0")]),
    ],
)
def test_edited_tactics_are_checked_by_the_tactics_file_rules(rows, expected):
    months = dec.goal_months(dt.date(2025, 1, 1), dt.date(2025, 12, 31))
    edited = pl.DataFrame(rows, schema=["month", "tactic", "weight"], orient="row")
    tactics, problems = view.tactics_from_editor(edited, months)
    found = [(p.row, p.column, p.message) for p in problems]
    assert [(r, c) for r, c, _ in found] == [(r, c) for r, c, _ in expected]
    assert all(m.startswith(e) for (_, _, m), (_, _, e) in zip(found, expected, strict=True))
    assert (tactics is None) == bool(expected)
    if tactics is not None:
        assert tactics.rows() == [(dt.date(2025, 2, 1), "Spring Festival", 2.0)]


STORED = pl.DataFrame(
    {
        "month": [month(1), month(2), month(3)],
        "method_target": [10.0, 20.0, 30.0],
        "target": [10.0, 25.0, 25.0],
        "overridden": [False, True, False],
        "note": [None, "launch", None],
    }
)


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({}, []),
        ({0: {"target": 12.0}}, [saving.MonthEdit(month(1), 12.0, None)]),
        ({0: {"target": 12.0, "note": " fair "}}, [saving.MonthEdit(month(1), 12.0, "fair")]),
        ({0: {"set_by_hand": True}}, [saving.MonthEdit(month(1), 10.0, None)]),
        ({1: {"set_by_hand": False}}, [saving.MonthEdit(month(2), None, None)]),
        ({1: {"note": "moved launch"}}, [saving.MonthEdit(month(2), 25.0, "moved launch")]),
        (
            {1: {"set_by_hand": False}, 2: {"target": 28.0}},
            [saving.MonthEdit(month(2), None, None), saving.MonthEdit(month(3), 28.0, None)],
        ),
    ],
)
def test_month_edits_become_overrides_with_clears_first(changes, expected):
    edited = saving.month_editor_frame(STORED).with_row_index()
    for index, values in changes.items():
        for column, value in values.items():
            edited = edited.with_columns(
                pl.when(pl.col("index") == index)
                .then(pl.lit(value))
                .otherwise(pl.col(column))
                .alias(column)
            )
    assert saving.month_edits(STORED, edited.drop("index")) == expected


def test_a_save_lists_the_fields_and_months_it_changes():
    before = goal_of("gmv", dec.Method.EVEN)
    after = goal_of("gmv", dec.Method.TACTIC, target=1.7e9)
    assert saving.definition_changes(before, after).rows() == [
        ("target", "1600000000.0", "1700000000.0"),
        ("method", "even", "tactic"),
    ]
    new = STORED.with_columns(target=pl.Series([10.0, 26.0, 25.0]))
    assert saving.month_differences(STORED, new).rows() == [("2025-02", 25.0, 26.0, 1.0)]
    assert saving.definition_changes(before, before).is_empty()


def test_the_history_says_who_changed_what(company):
    set_goal(company, goal_of("gmv", dec.Method.EVEN), "ana")
    set_goal(company, goal_of("gmv", dec.Method.EVEN, target=1.7e9), "ben")
    override_month(company, "gmv_goal", month(3), 1e8, "cy", note="fair")
    history = saving.history_table(goal_changes(company, "gmv_goal"))
    assert history["changed_by"].to_list() == ["ana", "ben", "cy"]
    assert history["what"][0].startswith("target 1.6e+09, method even")
    assert history["what"][1] == "target: 1600000000.0 → 1700000000.0; 12 month(s) changed"
    assert history["what"][2] == "12 month(s) changed"  # March set, the rest re-spread
    detail = json.loads(goal_changes(company, "gmv_goal")["detail"][2])
    assert detail["after"]["targets"][2]["overridden"] is True


def test_a_confirmation_lapses_when_the_inputs_change():
    goal = goal_of("gmv", dec.Method.TACTIC)
    assert saving.request_key(goal, TACTICS, False) == saving.request_key(
        goal, TACTICS.clone(), False
    )
    assert saving.request_key(goal, TACTICS, False) != saving.request_key(goal, TACTICS, True)
    higher = goal_of("gmv", dec.Method.TACTIC, target=1.7e9)
    assert saving.request_key(goal, TACTICS, False) != saving.request_key(higher, TACTICS, False)
