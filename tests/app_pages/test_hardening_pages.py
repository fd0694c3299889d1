"""The app facing hostile names and broken stores: names show as typed text, a store it cannot
use is explained in words (never a traceback), and server details are for owners only.

The browser test (tests/browser/test_names_as_text.py) proves no image is fetched; these check
what every page puts into Markdown, quickly, with AppTest.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

import ui
from metrics.store.connection import open_store
from tests.cli.test_hardening import fingerprint
from tests.damaged_stores import folder, garbled, text, truncated

APP = str(Path(__file__).resolve().parents[2] / "app.py")
EVIL = "![x](http://127.0.0.1:9/x.png)"
RAW = "![x]("  # what Markdown would turn into an image; escaped it reads \!\[x\](
MARKDOWN_KINDS = ("markdown", "caption", "title", "header", "subheader", "error", "warning",
                  "info", "success")  # fmt: skip
PAGES = {
    "overview": "app_pages/overview.py",
    "review meeting": "app_pages/review_meeting.py",
    "team review": "app_pages/team_review.py",
    "goals": "app_pages/goals.py",
    "phases": "app_pages/phases.py",
}


@pytest.fixture(scope="module")
def evil_store(demo_goal_store, tmp_path_factory) -> Path:
    """The demo with the goal, every team, one department and every author named like an
    image, as a careless (or hostile) import or form would leave them."""
    path = tmp_path_factory.mktemp("evil") / "store.duckdb"
    shutil.copyfile(demo_goal_store, path)
    with open_store(path) as con:
        con.execute("update goals set name = $evil", {"evil": EVIL})
        con.execute("update teams set name = $evil || ' ' || team", {"evil": EVIL})
        con.execute(
            "update teams set department = $evil where department = 'commerce'", {"evil": EVIL}
        )
        con.execute("update checkins set author = $evil", {"evil": EVIL})
        con.execute("update metrics set name = $evil || ' ' || metric", {"evil": EVIL})
    return path


def shown_markdown(app: AppTest) -> list[str]:
    texts = [element.value for kind in MARKDOWN_KINDS for element in app.get(kind)]
    texts += [element.label for element in app.get("expander")]
    texts += [
        element.label for kind in ("metric", "button", "selectbox") for element in app.get(kind)
    ]
    return [str(text) for text in texts]


@pytest.mark.parametrize("page", PAGES)
def test_no_name_reaches_a_page_as_markup(evil_store, monkeypatch, page):
    monkeypatch.setenv("DATAOPS_STORE", str(evil_store))
    app = AppTest.from_file(APP, default_timeout=180).run()
    app.switch_page(PAGES[page]).run()

    assert not app.exception
    shown = shown_markdown(app)
    assert not [text for text in shown if RAW in text]
    if page in ("overview", "review meeting"):  # the goal's name is shown, escaped
        assert any(r"\!\[x\](" in text for text in shown)


def test_the_author_of_a_saved_check_in_is_shown_as_typed(evil_store, monkeypatch):
    """In local mode the author is the OS user: a user name with markup is shown as text."""
    monkeypatch.setenv("DATAOPS_STORE", str(evil_store))
    monkeypatch.setenv("USER", EVIL)
    app = AppTest.from_file(APP, default_timeout=180).run()
    app.switch_page(PAGES["team review"]).run()
    app.radio(key="team_review-status").set_value("on_track")
    app.get("form_submit_button")[0].click().run()

    assert not app.exception
    saved = [element.value for element in app.success]
    assert saved and all(RAW not in text for text in saved)
    assert r"\!\[x\](" in saved[0]


# --- stores the app cannot use ---------------------------------------------------------------


BROKEN = {
    "truncated": (truncated, "is damaged", "restore it from a backup"),
    "garbled": (garbled, "is damaged", "restore it from a backup"),
    "text": (text, "is not a DuckDB store", "point the cockpit at the store file"),
    "a folder": (folder, "is a folder", "the .duckdb file inside"),
}


@pytest.mark.parametrize("owner", [True, False], ids=["owner", "visitor"])
@pytest.mark.parametrize("damage", BROKEN)
def test_a_store_the_app_cannot_use_is_explained_without_a_traceback(
    store_path, monkeypatch, damage, owner
):
    spoil, meaning, fix = BROKEN[damage]
    spoil(store_path)
    before = fingerprint(store_path)
    monkeypatch.setenv("DATAOPS_STORE", str(store_path))
    monkeypatch.setattr(ui, "viewer_is_owner", lambda: owner)

    app = AppTest.from_file(APP, default_timeout=60).run()

    assert not app.exception
    said = " ".join(element.value for element in app.sidebar.error)
    assert meaning in said
    assert (fix in said) is owner  # the fix names --store and the file: for owners
    assert (str(store_path.name) in " ".join(shown_markdown(app))) is owner
    assert fingerprint(store_path) == before


def test_visitors_who_are_not_owners_never_see_the_stores_path(store_path, monkeypatch):
    monkeypatch.setenv("DATAOPS_STORE", str(store_path))
    monkeypatch.setattr(ui, "viewer_is_owner", lambda: False)
    app = AppTest.from_file(APP, default_timeout=60).run()
    assert not app.exception
    assert not [text for text in shown_markdown(app) if str(store_path.parent) in text]

    monkeypatch.setattr(ui, "viewer_is_owner", lambda: True)
    app = AppTest.from_file(APP, default_timeout=60).run()
    assert any(store_path.name in caption.value for caption in app.sidebar.caption)


@pytest.fixture
def immutable(store_path):
    if not shutil.which("chattr") or subprocess.run(["chattr", "+i", store_path]).returncode:
        pytest.skip("chattr +i is not available here")
    try:
        yield store_path
    finally:
        subprocess.run(["chattr", "-i", store_path], check=True)


def test_a_read_only_store_is_shown_and_saves_are_refused(immutable, monkeypatch):
    monkeypatch.setenv("DATAOPS_STORE", str(immutable))
    app = AppTest.from_file(APP, default_timeout=60).run()
    assert not app.exception
    assert any("read-only" in warning.value for warning in app.sidebar.warning)


# --- uploads over the limits -----------------------------------------------------------------


def test_an_upload_over_the_limits_is_refused_whole_without_parsing(store_path, monkeypatch):
    monkeypatch.setenv("DATAOPS_STORE", str(store_path))
    before = fingerprint(store_path)
    app = AppTest.from_file(APP, default_timeout=60).run()
    app.switch_page("app_pages/data.py").run()
    wide = b"date,metric,team,value\n" + b",".join([b"1"] * 400_000) + b"\n"
    app.file_uploader(key="import-files").set_value([("observations.csv", wide, "text/csv")]).run()
    app.button[0].click().run()

    assert not app.exception
    assert "Refused" in app.error[0].value
    assert "more than the 65,536" in app.dataframe[-1].value["problem"][0]
    assert fingerprint(store_path) == before
