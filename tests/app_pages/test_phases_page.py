"""The Phases page: the plan as stored, every problem of an edit shown with nothing written, good
edits saved with who made them, team targets equal to the domain's, and a shortfall re-spread
only after confirming."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest
from streamlit.testing.v1 import AppTest

from metrics.plan.goals import goal_changes, load_goal, monthly_targets
from metrics.plan.phase_review import load_team_phase_targets, monthly_actuals
from metrics.plan.phases import load_assignments, load_phases
from tests.app_pages.conftest import read_store, start_app

PAGE = "app_pages/phases.py"
GOAL = "gmv_2025"  # the demo's goal
PHASES = f"phases-editor-phases-{GOAL}"
ASSIGNMENTS = f"phases-editor-assignments-{GOAL}"


def open_page(store: Path, monkeypatch) -> AppTest:
    app = start_app(store, monkeypatch, PAGE)
    if any(box.key == "phases-author" for box in app.text_input):
        app.text_input(key="phases-author").set_value("ben").run()
    return app


def edit(app: AppTest, key: str, **state) -> AppTest:
    """Edit a data editor as a user would (AppTest takes the editor's edit state)."""
    app.session_state[key] = {"edited_rows": {}, "added_rows": [], "deleted_rows": []} | state
    return app.run()


def table_with(app: AppTest, column: str) -> pl.DataFrame:
    return pl.from_pandas(next(d.value for d in app.dataframe if column in d.value.columns))


def test_the_plan_and_each_teams_target_are_the_domains(demo_goal_store, monkeypatch):
    app = open_page(demo_goal_store, monkeypatch)

    assert not app.exception
    phases = read_store(demo_goal_store, load_phases, GOAL)
    assert table_with(app, "main_task")["phase"].to_list() == phases["phase"].to_list()
    expected = read_store(demo_goal_store, load_team_phase_targets, GOAL)
    shown = table_with(app, "share_of_gap")
    assert (
        shown.select("phase", "team", "indicator").rows()
        == expected.select("phase", "team", "indicator").rows()
    )
    same = ["natural", "target", "share", "indicator_target"]
    for column, domain in [("share_of_gap", "uplift"), *zip(same, same, strict=True)]:
        assert shown[column].to_list() == pytest.approx(expected[domain].to_list(), rel=1e-12)
    assert not app.error  # the demo's plan has no problems
    assert app.button(key="phases-save-assignments").disabled  # and nothing was edited


def test_without_a_goal_the_page_points_to_the_goals_page(store_path, monkeypatch):
    app = open_page(store_path, monkeypatch)
    assert not app.exception
    assert "no goal yet" in app.info[0].value


BAD_ASSIGNMENTS = {
    "a share raised": (dict(edited_rows={0: {"share_percent": 25.0}}), "Q1's shares add up to 110"),
    "a team twice": (dict(edited_rows={1: {"team": "content_ops"}}), "repeats phase Q1 and team"),
    "a phase emptied": (dict(deleted_rows=[0, 1, 2, 3, 4]), "phase Q1 has no rows left"),
    "a row too many": (
        dict(added_rows=[{"phase": "Q1", "team": "promotions", "share_percent": 5.0,
                          "indicator": "gmv"}]),
        "Q1's shares add up to 105",
    ),
}  # fmt: skip


@pytest.mark.parametrize("case", list(BAD_ASSIGNMENTS))
def test_bad_shares_show_every_problem_and_nothing_is_written(copy, monkeypatch, case):
    state, message = BAD_ASSIGNMENTS[case]
    before = read_store(copy, load_assignments, GOAL)
    app = edit(open_page(copy, monkeypatch), ASSIGNMENTS, **state)

    assert not app.exception
    assert any("problem(s) in the assignments" in e.value for e in app.error)
    problems = table_with(app, "fix")
    assert any(message in text for text in problems["problem"].to_list())
    assert app.button(key="phases-save-assignments").disabled  # saving is refused
    assert read_store(copy, load_assignments, GOAL).equals(before)


def test_good_shares_are_saved_with_who_saved_them(copy, monkeypatch):
    app = open_page(copy, monkeypatch)
    q1 = read_store(copy, load_assignments, GOAL).filter(phase="Q1")
    promotions = q1["team"].to_list().index("promotions")
    content = q1["team"].to_list().index("content_ops")
    raised = {
        promotions: {"share_percent": q1["share"][promotions] * 100 + 5},
        content: {"share_percent": q1["share"][content] * 100 - 5},
    }
    app = edit(app, ASSIGNMENTS, edited_rows=raised)
    assert not app.error
    app.button(key="phases-save-assignments").click().run()

    assert not app.exception
    assert any("Assignments of gmv_2025 saved by ben" in s.value for s in app.success)
    saved = read_store(copy, load_assignments, GOAL).filter(phase="Q1")
    assert saved["share"][promotions] == pytest.approx(q1["share"][promotions] + 0.05)
    assert saved["share"].sum() == pytest.approx(1.0)
    changes = read_store(copy, goal_changes, GOAL)
    assert changes.select("changed_by", "action").row(-1) == ("ben", "assignments_set")
    targets = read_store(copy, load_team_phase_targets, GOAL)
    assert table_with(app, "share_of_gap")["target"].to_list() == pytest.approx(
        targets["target"].to_list(), rel=1e-12
    )


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({1: {"end": "2025-07"}}, "2025-07 is in phases Q2, Q3"),
        ({3: {"start": "2025-11"}}, "no phase covers 2025-10"),
        ({0: {"main_task": None}}, "is empty"),
    ],
)
def test_bad_phases_show_their_problems_and_good_ones_save(copy, monkeypatch, change, message):
    before = read_store(copy, load_phases, GOAL)
    app = edit(open_page(copy, monkeypatch), PHASES, edited_rows=change)
    assert not app.exception
    assert any(message in text for text in table_with(app, "fix")["problem"].to_list())
    assert app.button(key="phases-save-phases").disabled
    assert read_store(copy, load_phases, GOAL).equals(before)

    app = edit(app, PHASES, edited_rows={0: {"main_task": "Win the New Year shoppers"}})
    app.button(key="phases-save-phases").click().run()
    assert not app.exception
    assert read_store(copy, load_phases, GOAL)["main_task"][0] == "Win the New Year shoppers"
    assert read_store(copy, goal_changes, GOAL)["action"][-1] == "phases_set"


def test_a_shortfall_is_respread_over_later_phases_only_after_confirming(copy, monkeypatch):
    app = open_page(copy, monkeypatch)
    before = read_store(copy, monthly_targets, GOAL)
    assert app.selectbox(key="phases-respread-phase").options[0] == "Q1"
    app.button(key="phases-respread").click().run()

    assert any("ended" in w.value and "short" in w.value for w in app.warning)
    assert read_store(copy, monthly_targets, GOAL).equals(before)  # not yet
    app.button(key="phases-respread-yes").click().run()

    assert not app.exception
    after = read_store(copy, monthly_targets, GOAL)
    actuals = read_store(copy, monthly_actuals, GOAL).head(3)
    assert after["target"].head(3).to_list() == pytest.approx(actuals["actual"].to_list())
    assert after["overridden"].head(3).all() and not after["overridden"].tail(9).any()
    goal = read_store(copy, load_goal, GOAL)
    assert after["target"].sum() == pytest.approx(goal.target, rel=1e-12)
    assert read_store(copy, goal_changes, GOAL).select("changed_by", "action").row(-1) == (
        "ben",
        "shortfall_respread",
    )
