"""The Review meeting on the demo company: small to large, every team with its status and
problems, the company line and the flags from the report, and the pack to download."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from metrics.contribution.report import build_report
from metrics.store.connection import open_store
from tests.app_pages.conftest import start_app
from tests.metrics.contribution_store import DEMO_GOAL
from ui.overview_view import STATUS_WORDS, value_text

PAGE = "app_pages/review_meeting.py"


@pytest.fixture(scope="module")
def report(goal_store):
    with open_store(goal_store, read_only=True) as con:
        return build_report(con, DEMO_GOAL)


def open_page(path: Path, monkeypatch) -> AppTest:
    return start_app(path, monkeypatch, PAGE)


def page_text(app: AppTest) -> str:
    return "\n".join(element.value for element in app.markdown)


def test_each_department_opens_on_its_teams_with_status_and_contribution(app, report):
    assert not app.exception
    labels = [expander.label for expander in app.expander]
    departments = report.departments.sort("department").iter_rows(named=True)
    assert len(labels) == report.departments.height
    for label, department in zip(labels, departments, strict=True):
        assert label.startswith(f"{department['department']}: ")
        assert STATUS_WORDS[department["status"]] in label
        assert f"contribution {value_text(report, department['uplift'])}" in label


def test_every_team_is_shown_under_its_department_with_its_problems(app, report):
    shown = {
        team
        for frame in app.dataframe[:-1]  # the last table is the flags'
        for team in frame.value["team"].str.extract(r"team=([^&]+)")[0]
    }
    assert shown == set(report.teams["team"])
    text = page_text(app)
    problems = [text for problems in report.teams["problems"] for text in problems]
    assert problems  # the demo's check-ins raise some
    assert all(problem.split(": ", 1)[1] in text for problem in problems)


def test_the_company_line_is_the_reports(app, report):
    line = next(e.value for e in app.markdown if e.value.startswith("**Company**"))
    assert f"actual {value_text(report, report.company.actual_to_date)}" in line
    assert f"contribution {value_text(report, report.company.uplift_to_date)}" in line
    assert STATUS_WORDS[report.company.status.value] in line


def test_every_flag_is_listed_and_brought_to_a_decision(app, report):
    flags = app.dataframe[-1].value
    assert sorted(flags["initiative"]) == sorted(report.flags["initiative"])
    text = page_text(app)
    assert all(initiative in text for initiative in report.flags["initiative"])


def test_the_meeting_pack_can_be_downloaded_as_markdown_and_csv(app):
    buttons = {button.label for button in app.get("download_button")}
    assert {"Download the agenda (Markdown)", "Download the rollup (CSV)"} <= buttons


def test_an_empty_store_points_to_the_goals_page(store_path, monkeypatch):
    app = open_page(store_path, monkeypatch)
    assert not app.exception
    assert "no goal yet" in app.info[0].value
    assert not app.expander


def test_a_goal_without_a_baseline_says_how_to_freeze_one(demo_store, tmp_path, monkeypatch):
    path = tmp_path / "store.duckdb"
    shutil.copyfile(demo_store, path)
    app = open_page(path, monkeypatch)

    assert not app.exception
    assert "Fit it on the Goals page" in app.info[0].value
    assert not app.expander
