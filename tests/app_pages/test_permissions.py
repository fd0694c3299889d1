"""Every write the app makes, for every role: drawn as a control or not, and checked on the
server when forced.

AppTest cannot sign in, and `st.user` is never patched: the tests run in local mode with grants
in the store and `DATAOPS_LOCAL_AS` naming who the session is (`ui.identity`), which resolves the
person through the same grants a signed-in e-mail goes through. A forced write is a page drawn
for the owner and then clicked by someone else (the environment changed between the two), so
only the server's check stands between them and the store.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from forecasting import runner
from forecasting.report import RunReport
from metrics.access.grants import grant, list_grants
from metrics.plan.checkins import load_checkins
from metrics.plan.goals import list_goals, monthly_targets
from metrics.plan.phases import load_assignments, load_phases
from metrics.store.connection import open_store

APP = str(Path(__file__).resolve().parents[2] / "app.py")
GOAL = "gmv_2025"
PEOPLE = {
    "owner": "olga@example.com",
    "leadership": "lee@example.com",
    "team_lead": "tim@example.com",  # leads promotions
    "viewer": "vic@example.com",
}


@pytest.fixture
def store(demo_store, tmp_path) -> Path:
    path = tmp_path / "access.duckdb"
    shutil.copyfile(demo_store, path)
    with open_store(path) as con:
        for role, email in PEOPLE.items():
            grant(con, email, role, ["promotions"] if role == "team_lead" else [], "test")
    return path


def as_person(monkeypatch, role: str | None) -> None:
    if role is None:
        monkeypatch.setenv("DATAOPS_LOCAL_AS", "stranger@example.com")
    else:
        monkeypatch.setenv("DATAOPS_LOCAL_AS", PEOPLE[role])


def open_page(store: Path, monkeypatch, page: str, **query) -> AppTest:
    monkeypatch.setenv("DATAOPS_STORE", str(store))
    app = AppTest.from_file(APP, default_timeout=120)
    for name, value in query.items():
        app.query_params[name] = value
    return app.run().switch_page(page).run()


def snapshot(path: Path, query: Callable, *args):
    with open_store(path, read_only=True) as con:
        return query(con, *args)


def fill_checkin(app: AppTest) -> AppTest:
    if not any(r.key == "team_review-status" for r in app.radio):
        return app  # no form for this person
    app.radio(key="team_review-status").set_value("on_track")
    app.text_area(key="team_review-notes").input("On plan.")
    return app


def save_checkin(app: AppTest) -> AppTest:
    (save,) = [b for b in app.button if b.label == "Save check-in"]
    return save.click().run()


def fill_goal(app: AppTest) -> AppTest:
    app.radio(key="goals-mode").set_value("new").run()
    app.text_input(key="goals-new-id").set_value("orders_h1")
    app.selectbox(key="goals-new-metric").set_value("orders")
    app.date_input(key="goals-new-start").set_value(dt.date(2025, 1, 1))
    app.date_input(key="goals-new-end").set_value(dt.date(2025, 6, 30))
    return app.number_input(key="goals-new-target").set_value(9e6).run()


def fill_shares(app: AppTest) -> AppTest:
    q1 = snapshot(app_store(app), load_assignments, GOAL).filter(phase="Q1")["share"]
    edited = {0: {"share_percent": q1[0] * 100 + 5}, 1: {"share_percent": q1[1] * 100 - 5}}
    key = f"phases-editor-assignments-{GOAL}"
    app.session_state[key] = {"edited_rows": edited, "added_rows": [], "deleted_rows": []}
    return app.run()


def fill_phases(app: AppTest) -> AppTest:
    key = f"phases-editor-phases-{GOAL}"
    edited = {0: {"main_task": "Win the New Year run-up"}}
    app.session_state[key] = {"edited_rows": edited, "added_rows": [], "deleted_rows": []}
    return app.run()


def fill_month(app: AppTest) -> AppTest:
    march = snapshot(app_store(app), monthly_targets, GOAL).row(2, named=True)
    edited = {2: {"target": march["target"] * 1.2, "note": "moved"}}
    key = f"goals-editor-months-{GOAL}"
    app.session_state[key] = {"edited_rows": edited, "added_rows": [], "deleted_rows": []}
    return app.run()


def fill_revoke(app: AppTest) -> AppTest:
    if not any(s.key == "access-revoke-email" for s in app.selectbox):
        return app  # no Access tab for this person
    app.selectbox(key="access-revoke-email").set_value(PEOPLE["viewer"])
    return app


def fill_upload(app: AppTest) -> AppTest:
    teams = b"team,name,department\nlive_ops,Live Ops,growth\n"
    return app.file_uploader(key="import-files").set_value([("teams.csv", teams, "text/csv")]).run()


def fill_grant(app: AppTest) -> AppTest:
    if not any(t.key == "access-email" for t in app.text_input):
        return app  # no Access tab for this person
    app.text_input(key="access-email").input("new@example.com")
    app.selectbox(key="access-role").set_value("viewer")
    return app


def app_store(app: AppTest) -> Path:
    return Path(os.environ["DATAOPS_STORE"])


def click(key: str) -> Callable[[AppTest], AppTest]:
    return lambda app: app.button(key=key).click().run()


def grant_click(app: AppTest) -> AppTest:
    (save,) = [b for b in app.button if b.label == "Grant"]
    return save.click().run()


def revoke_click(app: AppTest) -> AppTest:
    (save,) = [b for b in app.button if b.label == "Revoke"]
    return save.click().run()


def teams_of(con):
    return sorted(row[0] for row in con.execute("select team from teams").fetchall())


def promotions_checkins(con):
    return load_checkins(con, team="promotions").height


def user_ops_checkins(con):
    return load_checkins(con, team="user_ops").height


@dataclass(frozen=True)
class WritePath:
    page: str
    query: dict
    fill: Callable[[AppTest], AppTest]
    save: Callable[[AppTest], AppTest]
    stored: Callable  # what the write changes, read from the store
    control: Callable[[AppTest], bool]  # the control is drawn usable for this person


def enabled(key: str) -> Callable[[AppTest], bool]:
    return lambda app: any(b.key == key and not b.disabled for b in app.button)


def labelled(label: str) -> Callable[[AppTest], bool]:
    return lambda app: any(b.label == label and not b.disabled for b in app.button)


PATHS = {
    "add_checkin own team": WritePath(
        "app_pages/team_review.py", {"team": "promotions"}, fill_checkin, save_checkin,
        promotions_checkins, labelled("Save check-in"),
    ),
    "add_checkin other team": WritePath(
        "app_pages/team_review.py", {"team": "user_ops"}, fill_checkin, save_checkin,
        user_ops_checkins, labelled("Save check-in"),
    ),
    "edit_goal": WritePath(
        "app_pages/goals.py", {}, fill_goal, click("goals-save"), list_goals,
        lambda app: not app.button(key="goals-save").disabled,
    ),
    "edit_goal months by hand": WritePath(
        "app_pages/goals.py", {}, fill_month, click("goals-months-save"),
        lambda con: monthly_targets(con, GOAL), enabled("goals-months-save"),
    ),
    "edit_phases": WritePath(
        "app_pages/phases.py", {}, fill_phases, click("phases-save-phases"),
        lambda con: load_phases(con, GOAL), enabled("phases-save-phases"),
    ),
    "edit_assignments": WritePath(
        "app_pages/phases.py", {}, fill_shares, click("phases-save-assignments"),
        lambda con: load_assignments(con, GOAL), enabled("phases-save-assignments"),
    ),
    "import_data": WritePath(
        "app_pages/data.py", {}, fill_upload, click("import-run"), teams_of, enabled("import-run"),
    ),
    "manage_access": WritePath(
        "app_pages/data.py", {}, fill_grant, grant_click, list_grants, labelled("Grant"),
    ),
    "manage_access revoke": WritePath(
        "app_pages/data.py", {}, fill_revoke, revoke_click, list_grants, labelled("Revoke"),
    ),
    "refit": WritePath(
        "app_pages/forecasts.py", {}, lambda app: app, click("forecasts-refresh"),
        lambda con: "refit" if _REFITS else "none", enabled("forecasts-refresh"),
    ),
}  # fmt: skip
_REFITS: list[str] = []

# Saves made in a widget callback reach the server's check even when the page, drawn again for
# the new person, would not show the control; a disabled button's click is dropped by Streamlit.
CALLBACK_WRITES = {
    "add_checkin own team", "add_checkin other team", "manage_access", "manage_access revoke"
}  # fmt: skip

# role x write path -> allowed: the table the issue asks for.
ALLOWED = {
    "owner": set(PATHS),
    "leadership": set(),
    "team_lead": {"add_checkin own team"},
    "viewer": set(),
}
CASES = [(role, name, name in ALLOWED[role]) for role in PEOPLE for name in PATHS]


@pytest.fixture(autouse=True)
def no_prophet(monkeypatch):
    """The refit path must not fit real models here: stand in for the runner's entry point."""
    _REFITS.clear()

    def refresh_rolling(path, progress=None, **_):
        _REFITS.append(str(path))
        return RunReport("rolling", None, "CN", (), 0.0)

    monkeypatch.setattr(runner, "refresh_rolling", refresh_rolling)


@pytest.mark.parametrize(("role", "path", "allowed"), CASES)
def test_each_role_gets_the_controls_it_may_use_and_a_forced_write_is_refused(
    store, monkeypatch, role, path, allowed
):
    write = PATHS[path]
    as_person(monkeypatch, role)
    drawn = write.fill(open_page(store, monkeypatch, write.page, **write.query))
    assert not drawn.exception
    assert write.control(drawn) is allowed

    as_person(monkeypatch, "owner")  # drawn (and filled) for the owner...
    app = write.fill(open_page(store, monkeypatch, write.page, **write.query))
    before = snapshot(store, write.stored)
    as_person(monkeypatch, role)  # ...clicked by this person: only the server's check is left
    app = write.save(app)

    assert not app.exception
    after = snapshot(store, write.stored)
    if allowed:
        assert after is not before and not _same(after, before)
    else:
        assert _same(after, before)
        if path in CALLBACK_WRITES:  # a callback runs before the page is drawn again: the
            refusals = [e.value for e in app.error]  # server's check is what refuses it
            assert any(f"{PEOPLE[role]} may not" in text for text in refusals), refusals


def _same(a, b) -> bool:
    return a.equals(b) if hasattr(a, "equals") else a == b


def test_a_person_without_a_grant_sees_only_the_ask_for_access_page(store, monkeypatch):
    as_person(monkeypatch, None)
    monkeypatch.setenv("DATAOPS_STORE", str(store))
    app = AppTest.from_file(APP, default_timeout=120).run()

    assert not app.exception
    assert [t.value for t in app.title] == ["Ask an owner for access"]
    assert "stranger@example.com" in app.markdown[0].value
    assert not app.dataframe and not app.sidebar.selectbox


def test_local_mode_without_a_setting_makes_everyone_the_owner_and_says_so(store, monkeypatch):
    monkeypatch.delenv("DATAOPS_LOCAL_AS", raising=False)
    monkeypatch.setenv("USER", "ana")
    app = open_page(store, monkeypatch, "app_pages/goals.py")

    assert not app.exception
    sidebar = " ".join(m.value for m in [*app.sidebar.markdown, *app.sidebar.caption])
    assert "Local mode" in sidebar and "everyone who opens this cockpit is the owner" in sidebar
    assert "recorded as **ana**" in " ".join(c.value for c in app.caption)
