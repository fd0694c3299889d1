"""The Goals page: its preview is the decomposition's, a new goal is written as the form said, a
saved goal is replaced only after confirming, months set by hand are kept and marked, and a
method that needs a natural baseline gets one fitted (with progress) before it is split."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import replace
from pathlib import Path

import polars as pl
import pytest
from streamlit.testing.v1 import AppTest

from forecasting import runner
from forecasting.report import RunReport
from metrics.forecasts.reads import goal_baseline
from metrics.plan import decomposition as dec
from metrics.plan.edits import set_goal
from metrics.plan.goals import (
    Goal,
    find_goal,
    goal_changes,
    load_goal,
    load_tactics,
    monthly_targets,
)
from metrics.plan.inputs import last_year_monthly
from metrics.plan.months import override_month
from metrics.store.catalog import load_metrics
from metrics.store.connection import open_store
from tests.app_pages.conftest import read_store, start_app
from tests.metrics.plan_factories import freeze_baseline

PAGE = "app_pages/goals.py"
GOAL = "gmv_2025"  # the demo's goal
EDIT = f"goals-edit-{GOAL}"  # the prefix of the form's keys while editing it
TACTICS = pl.DataFrame(
    {
        "month": [dt.date(2025, 1, 1), dt.date(2025, 6, 1), dt.date(2025, 11, 1)],
        "tactic": ["New Year goods", "618", "Double 11"],
        "weight": [3.0, 5.0, 6.0],
    }
)


def open_page(store: Path, monkeypatch) -> AppTest:
    app = start_app(store, monkeypatch, PAGE)
    if any(box.key == "goals-author" for box in app.text_input):
        app.text_input(key="goals-author").set_value("ana").run()
    return app


def preview_shown(app: AppTest) -> pl.DataFrame:
    (frame,) = [d.value for d in app.dataframe if "above_natural" in d.value.columns]
    return pl.from_pandas(frame)


def button(app: AppTest, key: str):
    return app.button(key=key)


def test_the_saved_goal_opens_with_its_monthly_targets_and_history(demo_goal_store, monkeypatch):
    app = open_page(demo_goal_store, monkeypatch)

    assert not app.exception
    stored = read_store(demo_goal_store, monthly_targets, GOAL)
    shown = preview_shown(app)
    assert shown["target"].to_list() == pytest.approx(stored["target"].to_list(), rel=1e-12)
    assert shown["natural"].null_count() == 0  # the demo's baseline is frozen
    assert button(app, "goals-save").disabled  # nothing changed yet
    history = next(d.value for d in app.dataframe if "what" in d.value.columns)
    assert history["changed_by"].tolist() == ["demo"] * 3


def test_an_empty_store_says_to_import_metrics_first(store_path, monkeypatch):
    app = open_page(store_path, monkeypatch)
    assert not app.exception
    assert "Import metrics first" in app.info[0].value


@pytest.mark.parametrize("method", list(dec.Method))
def test_the_preview_is_the_decomposition_of_the_inputs(copy, monkeypatch, method):
    with open_store(copy) as con:  # the demo goal with tactics, so every method can run
        goal = load_goal(con, GOAL)
        set_goal(con, replace(goal, method=dec.Method.TACTIC), "setup", tactics=TACTICS)
    app = open_page(copy, monkeypatch)
    app.selectbox(key=f"{EDIT}-method").set_value(method).run()

    with open_store(copy, read_only=True) as con:
        metric = load_metrics(con)[goal.metric]
        months = dec.goal_months(goal.start_day, goal.end_day)
        natural = dec.monthly_natural(metric, goal_baseline(con, GOAL), months)
        last_year = last_year_monthly(con, metric, months, goal.start_day)
        tactics = load_tactics(con, GOAL)
    weighted = dec.with_weights(metric.kind, months, natural)
    expected = dec.decompose(
        method, metric.kind, goal.target, weighted,
        natural=natural, last_year=last_year, tactics=tactics,
    )  # fmt: skip
    assert not app.exception
    shown = preview_shown(app)
    assert shown["target"].to_list() == pytest.approx(expected["method_target"].to_list(), 1e-12)
    assert shown["natural"].to_list() == pytest.approx(natural["natural"].to_list(), rel=1e-12)


def fill_new_goal(app: AppTest, values: dict) -> AppTest:
    app.radio(key="goals-mode").set_value("new").run()
    for name, value in values.items():
        widget = app.selectbox if name in ("metric", "method") else app.text_input
        widget = app.date_input if name in ("start", "end") else widget
        widget = app.number_input if name == "target" else widget
        widget(key=f"goals-new-{name}").set_value(value)
    return app.run()


NEW_GOALS = [
    dict(id="orders_h1", name="Orders H1", metric="orders", start=dt.date(2025, 1, 1),
         end=dt.date(2025, 6, 30), target=9_000_000.0, method=dec.Method.EVEN),
    dict(id="dau_2025", name="DAU", metric="dau", start=dt.date(2025, 3, 1),
         end=dt.date(2025, 11, 30), target=520_000.0, method=dec.Method.LAST_YEAR),
]  # fmt: skip


@pytest.mark.parametrize("values", NEW_GOALS, ids=[v["id"] for v in NEW_GOALS])
def test_a_new_goal_is_saved_as_the_form_said_and_as_previewed(copy, monkeypatch, values):
    app = fill_new_goal(open_page(copy, monkeypatch), values)
    previewed = preview_shown(app)
    button(app, "goals-save").click().run()

    assert not app.exception
    assert any(f"Goal {values['id']} saved by ana" in s.value for s in app.success)
    saved = read_store(copy, find_goal, values["id"])
    assert (saved.name, saved.metric, saved.start_day, saved.end_day) == (
        values["name"], values["metric"], values["start"], values["end"]
    )  # fmt: skip
    assert (saved.target, saved.method, saved.created_by) == (
        values["target"],
        values["method"],
        "ana",
    )
    targets = read_store(copy, monthly_targets, values["id"])
    assert targets["target"].to_list() == pytest.approx(previewed["target"].to_list(), rel=1e-12)
    changes = read_store(copy, goal_changes, values["id"])
    assert changes.select("changed_by", "action").rows() == [("ana", "created")]


def test_replacing_a_saved_goal_waits_for_confirmation(copy, monkeypatch):
    before = read_store(copy, find_goal, GOAL)
    app = open_page(copy, monkeypatch)
    app.number_input(key=f"{EDIT}-target").set_value(before.target * 1.05).run()
    button(app, "goals-save").click().run()

    assert not app.exception
    assert any("Saving replaces it" in w.value for w in app.warning)
    changes = next(d.value for d in app.dataframe if "field" in d.value.columns)
    assert changes["field"].tolist() == ["target"]
    assert read_store(copy, find_goal, GOAL) == before  # nothing written without confirming
    button(app, "goals-confirm-no").click().run()
    assert read_store(copy, find_goal, GOAL) == before

    button(app, "goals-save").click().run()
    button(app, "goals-confirm-yes").click().run()
    assert not app.exception
    after = read_store(copy, find_goal, GOAL)
    assert (after.target, after.updated_by) == (before.target * 1.05, "ana")
    assert read_store(copy, monthly_targets, GOAL)["target"].sum() == pytest.approx(after.target)


def test_a_month_set_by_hand_is_marked_and_kept_when_the_goal_changes(copy, monkeypatch):
    app = open_page(copy, monkeypatch)
    march = read_store(copy, monthly_targets, GOAL).row(2, named=True)
    edits = {2: {"target": march["target"] * 1.2, "note": "Members' day moved"}}
    app.session_state[f"goals-editor-months-{GOAL}"] = {
        "edited_rows": edits, "added_rows": [], "deleted_rows": []
    }  # fmt: skip
    app.run()
    button(app, "goals-months-save").click().run()

    assert not app.exception
    assert any("re-spread" in i.value for i in app.info)
    stored = read_store(copy, monthly_targets, GOAL)
    row = stored.row(2, named=True)
    assert (row["target"], row["overridden"], row["note"]) == (
        pytest.approx(march["target"] * 1.2), True, "Members' day moved"
    )  # fmt: skip
    goal = read_store(copy, find_goal, GOAL)
    assert stored["target"].sum() == pytest.approx(goal.target, rel=1e-12)
    assert preview_shown(app)["set_by_hand"].to_list() == [i == 2 for i in range(12)]

    app.number_input(key=f"{EDIT}-target").set_value(goal.target * 1.1).run()
    button(app, "goals-save").click().run()
    assert any("are kept" in m.value for m in app.markdown)
    button(app, "goals-confirm-yes").click().run()
    kept = read_store(copy, monthly_targets, GOAL).row(2, named=True)
    assert (kept["target"], kept["overridden"]) == (pytest.approx(march["target"] * 1.2), True)


H2 = Goal(
    "gmv_h2", "GMV H2", "gmv", dt.date(2025, 7, 1), dt.date(2025, 12, 31), 5e9, dec.Method.NATURAL
)


@pytest.fixture
def fake_freeze(monkeypatch) -> list[tuple[str, bool]]:
    """The runner's freeze, without Prophet: the demo goal's baseline over the goal's period."""
    calls = []

    def freeze(store_path, goal, *, rebaseline=False, progress=None, **options):
        calls.append((goal, rebaseline))
        with open_store(store_path) as con:
            period = find_goal(con, goal)
            frame = goal_baseline(con, GOAL).filter(
                pl.col("day").is_between(period.start_day, period.end_day)
            )
            freeze_baseline(con, goal, frame)
        for done in (1, 2):
            progress(done, 2, "gmv / promotions")
        return RunReport("goal", goal, "CN", (), 0.1)

    monkeypatch.setattr(runner, "freeze_goal_baseline", freeze)
    return calls


def assert_split_by_the_new_baseline(store: Path, actions: list[str]) -> None:
    with open_store(store, read_only=True) as con:
        targets = monthly_targets(con, H2.goal)
        months = dec.goal_months(H2.start_day, H2.end_day)
        metric = load_metrics(con)[H2.metric]
        natural = dec.monthly_natural(metric, goal_baseline(con, H2.goal), months)
        changes = goal_changes(con, H2.goal)
    expected = natural["natural"] * H2.target / natural["natural"].sum()
    assert targets["target"].to_list() == pytest.approx(expected.to_list(), rel=1e-12)
    assert changes["action"].to_list() == actions
    assert json.loads(changes["detail"][0])["after"]["pending"]


def test_a_new_goal_without_a_baseline_gets_one_fitted_with_progress_then_split(
    copy, monkeypatch, fake_freeze
):
    values = dict(id=H2.goal, metric=H2.metric, start=H2.start_day, end=H2.end_day)
    values |= dict(target=H2.target, method=H2.method)
    app = fill_new_goal(open_page(copy, monkeypatch), values)

    assert not app.exception
    assert any("None is frozen" in i.value for i in app.info)
    assert not [d for d in app.dataframe if "above_natural" in d.value.columns]  # no preview
    assert button(app, "goals-save").label == "Save and fit the natural baseline"
    button(app, "goals-save").click().run()

    assert not app.exception
    assert fake_freeze == [(H2.goal, False)]
    assert_split_by_the_new_baseline(copy, ["created", "decomposed"])
    assert button(app, "goals-open").label == f"Work on {H2.goal}"


def test_a_saved_goal_waiting_for_its_baseline_is_fitted_and_split_unchanged(
    copy, monkeypatch, fake_freeze
):
    with open_store(copy) as con:
        set_goal(con, H2, "setup", decompose=False)
    app = open_page(copy, monkeypatch)  # the newest goal is the sidebar's first

    assert app.radio(key="goals-mode").value == "edit"
    assert button(app, "goals-save").label == "Fit the natural baseline"
    button(app, "goals-save").click().run()

    assert not app.exception
    assert fake_freeze == [(H2.goal, False)]
    assert_split_by_the_new_baseline(copy, ["created", "decomposed"])  # no empty "changed"
    assert read_store(copy, find_goal, H2.goal).definition() == H2.definition()


def test_a_goal_split_without_a_baseline_can_get_one_here(copy, monkeypatch, fake_freeze):
    """Other pages send people here for a baseline: a goal whose method needs none gets one too."""
    even = replace(H2, method=dec.Method.EVEN)
    with open_store(copy) as con:
        set_goal(con, even, "setup")
        before = monthly_targets(con, even.goal)
    app = open_page(copy, monkeypatch)

    assert any("has no natural baseline yet" in i.value for i in app.info)
    assert button(app, "goals-save").label == "Fit the natural baseline"
    button(app, "goals-save").click().run()

    assert not app.exception
    assert fake_freeze == [(even.goal, False)]
    assert not read_store(copy, goal_baseline, even.goal).is_empty()
    after = read_store(copy, monthly_targets, even.goal)
    assert after["target"].to_list() == before["target"].to_list()  # the split stays


def test_months_set_by_hand_can_be_cleared_when_the_goal_is_saved_again(copy, monkeypatch):
    with open_store(copy) as con:
        march = monthly_targets(con, GOAL)["month"][2]
        override_month(con, GOAL, march, 1e9, "setup", note="fair")
    app = open_page(copy, monkeypatch)
    app.checkbox(key=f"{EDIT}-clear").check().run()
    assert not preview_shown(app)["set_by_hand"].any()  # the preview shows the months cleared
    button(app, "goals-save").click().run()
    assert any("are cleared" in m.value for m in app.markdown)
    button(app, "goals-confirm-yes").click().run()

    assert not app.exception
    assert not read_store(copy, monthly_targets, GOAL)["overridden"].any()
    assert any("Cleared 1 month(s) set by hand" in i.value for i in app.info)
