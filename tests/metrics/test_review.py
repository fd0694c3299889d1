"""Review from small to large: ordering, status by pace, problems raised in check-ins."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from metrics.contribution.rollup import Level, checkin_problems, rollup
from metrics.plan.goals import StatusThresholds

AS_OF = dt.date(2026, 6, 30)
DEFAULTS = StatusThresholds()
TEAMS = pl.DataFrame(
    {
        "team": ["promo", "merch", "users", "unassigned"],
        "department": ["commerce", "commerce", "growth", "unassigned"],
    }
)


def checkins(rows) -> pl.DataFrame:
    """rows: team, created_at, author, status, problems."""
    return pl.DataFrame(
        rows, schema=["team", "created_at", "author", "status", "problems"], orient="row"
    )


CHECKINS = checkins(
    [
        ("promo", dt.datetime(2026, 5, 1, 9), "li", "on_track", "coupon budget late"),
        ("promo", dt.datetime(2026, 6, 1, 9), "li", "at_risk", "  supplier stock-outs "),
        ("promo", dt.datetime(2026, 6, 15, 9), "li", "at_risk", ""),
        ("merch", dt.datetime(2026, 6, 20, 9), "wang", "off_track", "fewer new brands"),
        ("users", dt.datetime(2026, 7, 5, 9), "chen", "off_track", "after the as-of day"),
    ]
)


def test_each_team_reports_its_latest_status_and_every_problem_newest_first():
    reports = {row["team"]: row for row in checkin_problems(CHECKINS, AS_OF).to_dicts()}
    assert reports["promo"]["reported_status"] == "at_risk"
    assert reports["promo"]["last_checkin"] == dt.date(2026, 6, 15)
    assert reports["promo"]["problems"] == [
        "2026-06-01 li: supplier stock-outs",
        "2026-05-01 li: coupon budget late",
    ]
    assert "users" not in reports  # its only check-in is after the day looked back to


def test_without_a_day_to_look_back_to_every_checkin_counts():
    reports = checkin_problems(CHECKINS)
    assert set(reports["team"]) == {"promo", "merch", "users"}


def level(groups, targets, actuals) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "group": groups,
            "target": targets,
            "actual": actuals,
            "natural": [a * 0.9 for a in actuals],
            "uplift": [a * 0.1 for a in actuals],
            "uplift_lower": [0.0] * len(groups),
            "uplift_upper": [a * 0.2 for a in actuals],
        }
    )


LEVELS = {
    Level.TEAM: level(
        ["merch", "promo", "unassigned", "users"], [100, 100, 50, 0], [95, 120, 50, 9]
    ),
    Level.DEPARTMENT: level(["commerce", "growth", "unassigned"], [200, 0, 50], [215, 9, 50]),
    Level.COMPANY: level(["company"], [250], [274]),
}


def meeting(thresholds=DEFAULTS, higher_is_better=True) -> pl.DataFrame:
    reports = checkin_problems(CHECKINS, until=AS_OF)
    return rollup(LEVELS, TEAMS, reports, thresholds, higher_is_better=higher_is_better)


def test_rows_go_from_teams_to_departments_to_the_company():
    table = meeting()
    assert table["level"].to_list() == ["team"] * 4 + ["department"] * 3 + ["company"]
    teams = table.filter(level="team")
    assert dict(teams.select("group", "department").iter_rows())["promo"] == "commerce"


@pytest.mark.parametrize(
    ("thresholds", "higher_is_better", "expected"),
    [
        (StatusThresholds(), True, {"merch": "at_risk", "promo": "on_track", "users": None}),
        (StatusThresholds(0.9, 0.8), True, {"merch": "on_track", "promo": "on_track"}),
        (StatusThresholds(), False, {"merch": "on_track", "promo": "off_track"}),
    ],
)
def test_status_is_pace_against_configurable_thresholds(thresholds, higher_is_better, expected):
    status = dict(meeting(thresholds, higher_is_better).select("group", "status").iter_rows())
    assert {team: status[team] for team in expected} == expected


def test_problems_roll_up_to_the_department_and_company_naming_the_team():
    problems = dict(meeting().select("group", "problems").iter_rows())
    assert problems["merch"] == ["2026-06-20 wang: fewer new brands"]
    assert problems["commerce"] == [
        "promo - 2026-06-01 li: supplier stock-outs",
        "promo - 2026-05-01 li: coupon budget late",
        "merch - 2026-06-20 wang: fewer new brands",
    ]
    assert problems["growth"] == []
    assert len(problems["company"]) == 3
