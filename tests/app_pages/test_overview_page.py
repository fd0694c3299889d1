"""The Overview on the demo company: its numbers are the contribution report's, its waterfall
adds up, every flag is listed, and empty stores say what to do next."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from metrics.contribution.report import build_report
from metrics.store.catalog import load_metrics
from metrics.store.connection import open_store
from tests.app_pages.conftest import start_app
from tests.metrics.contribution_store import DEMO_GOAL, build
from ui.formatting import format_share
from ui.overview_charts import running_label
from ui.overview_view import value_text

PAGE = "app_pages/overview.py"


@pytest.fixture(scope="module")
def expected(goal_store):
    with open_store(goal_store, read_only=True) as con:
        return build_report(con, DEMO_GOAL), load_metrics(con)


def open_app(path: Path, monkeypatch) -> AppTest:
    return start_app(path, monkeypatch)


def chart(app: AppTest, index: int) -> dict:
    return json.loads(app.get("plotly_chart")[index].proto.spec)


def test_the_overview_is_the_page_everyone_lands_on(goal_store, monkeypatch):
    app = open_app(goal_store, monkeypatch)
    assert not app.exception
    assert app.title[0].value == "Overview"


def test_the_tiles_are_the_reports_numbers(app, expected):
    report, _ = expected
    c, landing = report.company, report.landing
    assert not app.exception
    assert {metric.label: metric.value for metric in app.metric} == {
        "Target": value_text(report, c.target),
        "Actual to date": value_text(report, c.actual_to_date),
        "Pace": format_share(c.pace),
        "Projected landing": value_text(report, landing.value),
        "Chance of reaching the target": format_share(landing.probability),
    }
    assert any(c.status.value.replace("_", " ") in badge.value.lower() for badge in app.markdown)
    interval = f"80% interval {value_text(report, landing.lower)} to"
    assert any(caption.value.startswith(interval) for caption in app.caption)
    run_rate = value_text(report, landing.value_with_run_rate)
    assert any(f"landing would be {run_rate}" in caption.value for caption in app.caption)


def test_every_team_and_department_is_listed_with_the_reports_uplift(app, expected):
    report, _ = expected
    teams, departments = app.dataframe[0].value, app.dataframe[1].value

    shown = dict(zip(teams["team"].str.extract(r"team=([^&]+)")[0], teams["uplift"], strict=True))
    assert shown == pytest.approx(dict(report.teams.select("team", "uplift").iter_rows()))
    assert teams["team"].str.startswith("/team?team=").all()
    company = departments[departments["department"] == "Company"].iloc[0]
    assert company["uplift"] == pytest.approx(report.company.uplift_to_date)
    assert set(departments["department"]) == {*report.departments["department"], "Company"}


def test_every_flag_of_the_report_is_listed(app, expected):
    report, _ = expected
    assert report.flags.height > 0  # the demo plants a pull-forward and a cannibalisation
    flags = app.dataframe[2].value
    assert sorted(flags["initiative"]) == sorted(report.flags["initiative"])
    assert sorted(flags["what"]) == sorted(report.flags["detail"])


def test_the_waterfall_goes_from_natural_through_every_team_to_the_actual(app, expected):
    report, _ = expected
    bars = {trace["name"]: trace for trace in chart(app, 1)["data"]}
    uplifts = [
        (x, base, y)
        for name in ("Uplift added", "Uplift lost")
        for x, base, y in zip(bars[name]["x"], bars[name]["base"], bars[name]["y"], strict=True)
    ]

    assert {team for team, _, _ in uplifts} == set(report.teams["team"])
    natural = bars["Natural baseline"]["y"][0]
    assert natural + sum(y for _, _, y in uplifts) == pytest.approx(bars["Actual"]["y"][0])
    assert bars["Actual"]["y"][0] == pytest.approx(report.company.actual_to_date)
    shortfall = bars["Shortfall to target"]
    assert shortfall["base"][0] + shortfall["y"][0] == pytest.approx(report.company.target_to_date)


def test_the_running_chart_follows_the_report_with_the_baseline_band(app, expected):
    report, _ = expected
    figure = chart(app, 0)
    lines = {trace["name"]: trace for trace in figure["data"]}

    assert figure["layout"]["yaxis"]["title"]["text"] == running_label(report)
    actual = [value for value in lines["Actual"]["y"] if value is not None]
    assert actual[-1] == pytest.approx(report.company.actual_to_date)
    assert "Natural baseline, 80% interval (month ends)" in lines


@pytest.mark.parametrize(
    ("metric", "title"),
    [("dau", "Average DAU per day"), ("conversion", "Conversion since")],
)
def test_level_and_ratio_goals_show_running_averages_and_ratios(
    metric, title, tmp_path, monkeypatch
):
    path = tmp_path / "store.duckdb"
    with open_store(path) as con:
        build(con, metric)
    app = open_app(path, monkeypatch).switch_page(PAGE).run()

    assert not app.exception
    assert chart(app, 0)["layout"]["yaxis"]["title"]["text"].startswith(title)


def test_an_empty_store_points_to_the_goals_page(store_path, monkeypatch):
    app = open_app(store_path, monkeypatch).switch_page(PAGE).run()
    assert not app.exception
    assert "no goal yet" in app.info[0].value
    assert not app.metric


def test_a_goal_without_a_baseline_says_how_to_freeze_one(demo_store, tmp_path, monkeypatch):
    path = tmp_path / "store.duckdb"
    shutil.copyfile(demo_store, path)  # the demo's goal, its baseline not frozen
    app = open_app(path, monkeypatch).switch_page(PAGE).run()

    assert not app.exception
    assert "Fit it on the Goals page" in app.info[0].value
    assert not app.metric
