"""The Team review page: a deep link opens a team, its numbers are the report's, and check-ins
are written as entered, refused with the domain's reasons, kept across reloads and saves."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from metrics.contribution.report import build_report
from metrics.plan.checkins import load_checkins, validate_checkin
from metrics.store.connection import open_store
from tests.app_pages.conftest import start_app
from tests.metrics.contribution_store import build as build_store
from ui import team_view as view
from ui.formatting import format_share
from ui.overview_view import STATUS_WORDS

PAGE = "app_pages/team_review.py"
GOAL = "gmv_2025"  # the demo's goal
TEAM_KEY = "team_review-team"


def open_page(store: Path, monkeypatch, team: str | None = None) -> AppTest:
    """The page as a browser opening `/team?team=<team>` gets it."""
    return start_app(store, monkeypatch, PAGE, query=None if team is None else {"team": team})


def shown_table(app: AppTest, column: str):
    """The one table on the page that has `column` (as pandas, the way st.dataframe holds it)."""
    (frame,) = [d.value for d in app.dataframe if column in d.value.columns]
    return frame


def metrics_shown(app: AppTest) -> dict[str, str]:
    return {metric.label: metric.value for metric in app.metric}


@pytest.fixture
def writable_store(copy) -> Path:
    return copy


def stored_checkins(path: Path, team: str):
    with open_store(path, read_only=True) as con:
        return load_checkins(con, goal=GOAL, team=team)


@pytest.mark.parametrize("team", ["promotions", "user_ops"])
def test_a_deep_link_opens_that_team_and_keeps_it_in_the_link(demo_goal_store, monkeypatch, team):
    app = open_page(demo_goal_store, monkeypatch, team)

    assert not app.exception
    assert app.selectbox(key=TEAM_KEY).value == team
    assert app.query_params["team"] == team


def test_choosing_another_team_updates_the_link(demo_goal_store, monkeypatch):
    app = open_page(demo_goal_store, monkeypatch, "promotions")
    app.selectbox(key=TEAM_KEY).set_value("merchandising").run()

    assert not app.exception
    assert app.query_params["team"] == "merchandising"
    assert shown_table(app, "by")["by"].tolist() == ["Zhao Min"]  # merchandising's check-in


def test_coming_back_from_another_page_keeps_the_team(demo_goal_store, monkeypatch):
    app = open_page(demo_goal_store, monkeypatch, "merchandising")
    app.switch_page("app_pages/data.py").run()
    app.query_params.clear()  # the sidebar's links carry no ?team=
    app.switch_page(PAGE).run()

    assert not app.exception
    assert app.selectbox(key=TEAM_KEY).value == "merchandising"
    assert app.query_params["team"] == "merchandising"


def test_an_unknown_team_is_named_with_the_teams_there_are(demo_goal_store, monkeypatch):
    app = open_page(demo_goal_store, monkeypatch, "promos")

    assert not app.exception
    assert "no team `promos`" in app.error[0].value
    assert "`promotions`" in app.error[0].value and "`user_ops`" in app.error[0].value
    assert not app.metric  # nothing measured for a team that is not there


@pytest.mark.parametrize("team", ["promotions", "merchandising", "user_ops"])
def test_contribution_numbers_are_the_reports_for_that_team(demo_goal_store, monkeypatch, team):
    with open_store(demo_goal_store, read_only=True) as con:
        report = build_report(con, GOAL)
    row = report.teams.filter(team=team).row(0, named=True)
    app = open_page(demo_goal_store, monkeypatch, team)
    shown = metrics_shown(app)

    assert not app.exception
    assert shown["Uplift to date"] == view.value_text(row["uplift"], report.metric)
    assert shown["Share of uplift"] == format_share(row["share_of_uplift"])
    assert shown["Share of gap closed"] == format_share(row["share_of_gap"])
    assert shown["Target to date"] == view.value_text(row["target"], report.metric)
    assert shown["Pace"] == format_share(row["pace"])
    assert any(STATUS_WORDS[row["status"]] in text.value for text in app.markdown)
    assert any(view.uplift_text(row, report.metric) in text.value for text in app.caption)
    initiatives = report.initiatives.filter(team=team)
    assert sorted(shown_table(app, "uplift low (80%)")["uplift"]) == sorted(initiatives["uplift"])


@pytest.mark.parametrize(("metric", "axis"), [("dau", "DAU per day"), ("conversion", "Conv")])
def test_level_and_ratio_goals_show_the_teams_numbers_in_their_terms(
    metric, axis, tmp_path, monkeypatch
):
    path = tmp_path / "store.duckdb"
    with open_store(path) as con:
        goal = build_store(con, metric)
        report = build_report(con, goal)
    row = report.teams.filter(team="promo").row(0, named=True)
    app = open_page(path, monkeypatch, "promo")

    assert not app.exception
    label = "Uplift to date (per day)" if metric == "dau" else "Uplift to date"
    assert metrics_shown(app)[label] == view.value_text(row["uplift"], report.metric)
    figure = json.loads(app.get("plotly_chart")[0].proto.spec)
    assert figure["layout"]["yaxis"]["title"]["text"].startswith(axis)


def test_the_flags_a_team_is_part_of_are_said_in_plain_words(demo_goal_store, monkeypatch):
    app = open_page(demo_goal_store, monkeypatch, "merchandising")  # the demo's planted victim

    assert not app.exception
    (warning,) = [w.value for w in app.warning]
    assert warning.startswith("Cannibalisation: while promotions's Member days 2025 ran")
    assert shown_table(app, "what happened")["what happened"].tolist() == [warning]


def fill_checkin(app: AppTest, entry: dict) -> AppTest:
    app.text_input(key="team_review-author").input(entry["author"])
    if entry["status"] is not None:
        app.radio(key="team_review-status").set_value(entry["status"])
    for name in ("notes", "problems", "next_actions"):
        app.text_area(key=f"team_review-{name}").input(entry[name])
    (save,) = [button for button in app.button if button.label == "Save check-in"]
    return save.click().run()


ENTRY = {
    "author": "Lin Wei",
    "status": "at_risk",
    "notes": "618 presale is behind.",
    "problems": "Coupons overlap with merchandising's category week.",
    "next_actions": "Move the coupon window; agree dates with merchandising.",
}


def test_a_checkin_is_written_as_entered_and_is_still_there_after_a_reload(
    writable_store, monkeypatch
):
    before = stored_checkins(writable_store, "promotions").height
    app = fill_checkin(open_page(writable_store, monkeypatch, "promotions"), ENTRY)

    assert not app.exception
    assert "Check-in saved" in app.success[0].value
    stored = stored_checkins(writable_store, "promotions")
    assert stored.height == before + 1
    assert stored.select(*ENTRY).row(0, named=True) == ENTRY
    assert shown_table(app, "by")["notes"].iloc[0] == ENTRY["notes"]  # newest first
    assert app.text_input(key="team_review-author").value == ""  # the form is cleared

    reloaded = open_page(writable_store, monkeypatch, "promotions")
    assert shown_table(reloaded, "by")["problems"].iloc[0] == ENTRY["problems"]


@pytest.mark.parametrize(
    "changes",
    [
        {"problems": ""},  # at risk without saying what stands in the way
        {"author": "  "},
        {"status": None},
        {"author": "", "status": "off_track", "problems": ""},
    ],
)
def test_an_invalid_checkin_is_refused_with_the_domains_reasons_and_not_written(
    writable_store, monkeypatch, changes
):
    entry = ENTRY | changes
    with open_store(writable_store, read_only=True) as con:
        args = {**entry, "status": entry["status"] or ""}
        expected = validate_checkin(con, "promotions", GOAL, **args)
    before = stored_checkins(writable_store, "promotions")
    app = fill_checkin(open_page(writable_store, monkeypatch, "promotions"), entry)

    assert not app.exception
    assert expected and all(p.message in app.error[0].value for p in expected)
    assert stored_checkins(writable_store, "promotions").equals(before)
    assert app.text_area(key="team_review-notes").value == ENTRY["notes"]  # kept to fix


def test_two_people_saving_at_the_same_moment_both_persist(writable_store, monkeypatch):
    monkeypatch.setenv("DATAOPS_STORE", str(writable_store))
    drafts = [
        view.CheckinDraft("promotions", GOAL, "Lin Wei", "on_track", notes="first"),
        view.CheckinDraft("promotions", GOAL, "Zhao Min", "on_track", notes="second"),
    ]
    start = threading.Barrier(len(drafts))
    saved: list[str] = []

    def save(draft: view.CheckinDraft) -> None:
        start.wait()
        saved.append(view.save_checkin(draft))

    threads = [threading.Thread(target=save, args=(draft,)) for draft in drafts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    stored = stored_checkins(writable_store, "promotions")
    assert len(saved) == 2
    assert set(stored.filter(stored["checkin"].is_in(saved))["notes"]) == {"first", "second"}


def test_without_a_baseline_the_page_says_how_to_freeze_one_and_keeps_checkins(
    demo_store, monkeypatch
):
    app = open_page(demo_store, monkeypatch, "promotions")

    assert not app.exception
    assert "fit it on the Goals page" in app.error[0].value
    assert shown_table(app, "by")["by"].tolist() == ["Lin Wei"]


def test_an_empty_store_says_to_set_a_goal_first(store_path, monkeypatch):
    app = open_page(store_path, monkeypatch)

    assert not app.exception
    assert any("no goal yet" in info.value for info in app.info)
