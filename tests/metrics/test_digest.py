"""The digest's content, its three renderings, the recipient rule and the alert conditions,
on the hand-built three-team report the page tests use."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from metrics.digest import alerts, recipients, render
from metrics.digest.content import FIRST_DIGEST, NO_CHANGE, build_digest, changes, team_state
from metrics.digest.lateness import LATE_SCHEMA
from metrics.store.catalog import Metric, MetricKind
from metrics.store.errors import DataopsError
from tests.ui.report_factory import AS_OF, checkins, flags, small_report

CATALOGUE = {"gmv": Metric("gmv", "GMV", MetricKind.FLOW, "CNY")}
NO_LATE = pl.DataFrame(schema=LATE_SCHEMA)
BASE = "https://cockpit.example.com/"


def report_with_trouble():
    said = checkins([("beta", "on_track", "Supplier late | <b>bold</b>", "chase them")])
    found = flags([("cannibalisation", "alpha", "beta", "member_days", 12.0, "held beta down")])
    return small_report(said, found)


def test_every_team_has_its_status_numbers_and_deep_link():
    digest = build_digest(report_with_trouble(), CATALOGUE, NO_LATE, None, BASE)
    assert [t.team for t in digest.teams] == ["alpha", "gamma", "beta"]  # biggest uplift first
    alpha = digest.teams[0]
    assert alpha.status == "✓ On track" and alpha.uplift == "¥30" and alpha.pace == "108.3%"
    assert alpha.interval == "¥20 to ¥40"
    assert alpha.link == f"https://cockpit.example.com/team?team=alpha&goal=g&as_of={AS_OF}"
    beta = next(t for t in digest.teams if t.team == "beta")
    assert beta.interval.endswith("not distinguishable from natural growth")
    assert beta.flags == "cannibalisation by alpha" and beta.reported == "✓ On track"
    assert all(t.changes == (FIRST_DIGEST,) for t in digest.teams)


def test_a_team_digest_has_that_team_and_its_flags_only():
    digest = build_digest(report_with_trouble(), CATALOGUE, NO_LATE, None, BASE, team="gamma")
    assert [t.team for t in digest.teams] == ["gamma"] and digest.flags == ()
    assert "team gamma" in render.subject(digest)


def test_an_unknown_team_is_refused_with_the_teams_listed():
    with pytest.raises(DataopsError, match=r"no team 'delta'.*alpha, beta, gamma"):
        build_digest(small_report(), CATALOGUE, NO_LATE, None, BASE, team="delta")


NOW = {"status": "off_track", "flags": ["pull-forward"], "problems": ["2025-07-01 Ann: late"]}


@pytest.mark.parametrize(
    ("before", "expected"),
    [
        (None, (FIRST_DIGEST,)),
        (NOW, (NO_CHANGE,)),
        ({**NOW, "status": "at_risk"}, ("status ⚠ At risk → ✗ Off track",)),
        ({**NOW, "flags": []}, ("new flag: pull-forward",)),
        ({**NOW, "problems": []}, ("new problem: 2025-07-01 Ann: late",)),
        ({}, ("status No target to date yet → ✗ Off track", "new flag: pull-forward",
              "new problem: 2025-07-01 Ann: late")),
    ],
)  # fmt: skip
def test_changes_since_the_last_digest(before, expected):
    assert changes(before, NOW) == expected


def test_the_next_digest_says_what_changed_since_the_state_sent():
    sent = build_digest(small_report(), CATALOGUE, NO_LATE, None, BASE)
    later = build_digest(report_with_trouble(), CATALOGUE, NO_LATE, sent.state, BASE)
    said = {t.team: t.changes for t in later.teams}
    assert said["alpha"] == ("new flag: cannibalisation of beta",)
    assert said["beta"][0] == "new flag: cannibalisation by alpha"
    assert said["beta"][1].startswith("new problem: 2025-07-01 Ann: Supplier late")
    assert said["gamma"] == (NO_CHANGE,)


def test_renderings_carry_the_same_teams_and_escape_check_in_text():
    late = pl.DataFrame(
        [("gmv", "alpha", dt.date(2025, 6, 20), 9), ("gmv", "beta", dt.date(2025, 6, 20), 9)],
        schema=LATE_SCHEMA, orient="row",
    )  # fmt: skip
    before = build_digest(small_report(), CATALOGUE, NO_LATE, None, BASE).state
    digest = build_digest(report_with_trouble(), CATALOGUE, late, before, BASE)
    text, html, markdown = (
        render.as_text(digest),
        render.as_html(digest),
        render.as_markdown(digest),
    )
    for team in ("alpha", "beta", "gamma"):
        assert all(team in out for out in (text, html, markdown))
    assert "gmv of alpha, beta: latest data 2025-06-20, 9 days late" in text
    assert "<b>bold</b>" in text and "<b>bold</b>" not in html and "&lt;b&gt;" in html
    assert "Supplier late \\| \\<b\\>" in markdown  # the pipe would break the list's Markdown
    assert f"href='{BASE}team?team=alpha&amp;goal=g&amp;as_of={AS_OF}'" in html
    assert "Pace: 94.2% (⚠ At risk)" in text  # the Overview tile and its badge


GRANTS = [
    ("Boss@Example.com ", "leadership", None),
    ("owner@example.com", "owner", None),
    ("lead@example.com", "team_lead", "alpha"),
    ("lead@example.com", "team_lead", "beta"),
    ("owner@example.com", "team_lead", "gamma"),  # the company digest already has gamma
    ("viewer@example.com", "viewer", None),
    ("nobody@example.com", "team_lead", None),
]


def test_recipients_leads_get_their_teams_and_leadership_and_owners_the_company():
    grants = pl.DataFrame(GRANTS, schema=["email", "role", "team"], orient="row")
    found = recipients.digest_recipients(grants)
    assert found.rows() == [
        ("boss@example.com", None), ("owner@example.com", None),
        ("lead@example.com", "alpha"), ("lead@example.com", "beta"),
    ]  # fmt: skip
    assert recipients.messages(found) == [
        (None, ["boss@example.com", "owner@example.com"]),
        ("alpha", ["lead@example.com"]),
        ("beta", ["lead@example.com"]),
    ]


def test_no_grants_no_recipients():
    empty = pl.DataFrame(schema={"email": pl.String, "role": pl.String, "team": pl.String})
    assert recipients.digest_recipients(empty).is_empty()


def test_alert_conditions_name_off_track_teams_flags_and_late_data():
    report = report_with_trouble()
    late = pl.DataFrame([("gmv", "gamma", dt.date(2025, 6, 20), 9)], schema=LATE_SCHEMA,
                        orient="row")  # fmt: skip
    found = alerts.conditions(report, CATALOGUE, late)
    keys = set(found["key"])
    assert "flag:cannibalisation:alpha:beta:member_days:gmv" in keys
    assert "late:gmv:gamma" in keys
    off = report.teams.filter(status="off_track")["team"].to_list()
    assert {f"off_track:{team}" for team in off} <= keys
    assert found["kind"].is_in(["off_track", "flag", "data_late"]).all()


def test_team_state_is_what_the_next_digest_compares():
    state = team_state(report_with_trouble())
    assert state["alpha"]["flags"] == ["cannibalisation of beta"]
    assert state["beta"]["problems"][0].startswith("2025-07-01 Ann: Supplier late")


def conditions_of(*keys: str) -> pl.DataFrame:
    rows = [(key, "flag", key.split(":")[1], None, f"text of {key}") for key in keys]
    return pl.DataFrame(rows, schema=alerts.CONDITION_SCHEMA, orient="row")


def test_alert_memory_reports_each_episode_once_and_a_return_alerts_again(con):
    day = dt.date(2025, 6, 30)

    def run(*keys, sending=True):
        alerts.remember(con, "g", day, conditions_of(*keys))
        new = alerts.unreported(alerts.open_events(con, "g"), sending=sending)
        alerts.mark(con, new["alert"].to_list(), sent=sending)
        return sorted(new["key"])

    assert run("flag:a", "flag:b") == ["flag:a", "flag:b"]
    assert run("flag:a", "flag:b") == []  # still there: not again
    assert run("flag:b") == []  # a is gone
    assert run("flag:a", "flag:b") == ["flag:a"]  # a came back: a new episode
    assert run("flag:c", sending=False) == ["flag:c"]  # listed, not mailed
    assert run("flag:c", sending=False) == []
    assert run("flag:c") == ["flag:c"]  # mailed once all the same


def test_a_team_lead_hears_of_its_own_events_and_flags_that_held_it_down():
    report = report_with_trouble()
    found = alerts.conditions(report, CATALOGUE, NO_LATE)
    beta = alerts.concerning(found, "beta")["key"].to_list()
    assert "flag:cannibalisation:alpha:beta:member_days:gmv" in beta
    assert alerts.concerning(found, None).height == found.height
