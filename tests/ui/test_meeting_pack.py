"""The meeting pack: every team with its status, problems and next actions, small to large,
in Markdown that free text cannot break and CSV a spreadsheet cannot run."""

from __future__ import annotations

import dataclasses
import re

import polars as pl
import pytest

from metrics.store.export import read_neutralised_csv
from tests.ui.report_factory import checkins, flags, small_report
from ui import meeting_agenda as agenda
from ui import meeting_pack as pack
from ui.overview_view import status_text

SAID = checkins(
    [
        ("beta", "at_risk", "Coupons arrived late", "Move the coupon drop"),
        ("beta", "off_track", "Shoppers waited for coupons", "Shorter coupon window"),
        ("gamma", "at_risk", "Few visitors converted", "Tie videos to products"),
        ("alpha", "on_track", "", "Keep the weekly drops"),
    ]
)
FOUND = flags(
    [
        ("pull_forward", "alpha", None, "spring_sale", 12.0, "12 above, then 12 below"),
        ("cannibalisation", "alpha", "beta", "member_days", 8.0, "beta fell 8 below"),
    ]
)
CATALOGUE = {"gmv": small_report().metric}


@pytest.fixture
def report():
    return small_report(SAID, FOUND)


def team_lines(markdown: str) -> dict[str, str]:
    """Each team's row of the department tables, by team."""
    rows = [line for line in markdown.splitlines() if line.startswith("| ") and "---" not in line]
    return {re.split(r"(?<!\\)\|", row)[1].strip(): row for row in rows}


def cells(row: str) -> list[str]:
    """A Markdown table row's cells, honouring escaped pipes."""
    return [cell.strip() for cell in re.split(r"(?<!\\)\|", row)[1:-1]]


@pytest.mark.parametrize(
    ("team", "status", "reported", "problems", "actions"),
    [
        ("alpha", "on_track", "on_track", ["none raised"], "Keep the weekly drops"),
        ("beta", "off_track", "off_track", ["Shoppers waited", "Coupons arrived late"],
         "Shorter coupon window"),
        ("gamma", "at_risk", "at_risk", ["Few visitors converted"], "Tie videos to products"),
    ],
)  # fmt: skip
def test_the_agenda_has_every_team_with_status_problems_and_next_actions(
    report, team, status, reported, problems, actions
):
    row = cells(team_lines(agenda.meeting_markdown(report, SAID, CATALOGUE))[team])

    assert row[1] == status_text(status)
    assert row[2] == status_text(reported)
    assert all(problem in row[7] for problem in problems)
    assert row[8] == actions  # the latest check-in's next actions


def test_the_agenda_reads_small_to_large_and_ends_with_flags_and_decisions(report):
    markdown = agenda.meeting_markdown(report, SAID, CATALOGUE)
    order = [
        "## 1. Goal and pace", "## 2. Landing", "### growth", "| gamma", "### sales", "| alpha",
        "| beta", "### Company", "## 4. Cooperation flags", "spring_sale", "member_days",
        "## 5. Decisions to take",
    ]  # fmt: skip
    positions = [markdown.index(text) for text in order]
    assert positions == sorted(positions)


@pytest.mark.parametrize(
    ("problem", "shown"),
    [
        ("Stock | coupons", r"Stock \| coupons"),
        ("first line\nsecond | line", r"first line<br>second \| line"),
        ("<script>alert(1)</script>", r"\<script\>alert(1)\</script\>"),
        ("see [the plan](http://x)", r"see \[the plan\](http://x)"),
        ("**loud** `code`", r"\*\*loud\*\* \`code\`"),
    ],
)
def test_free_text_cannot_break_the_agenda_tables(problem, shown):
    said = checkins([("beta", "off_track", problem, problem)])
    markdown = agenda.meeting_markdown(small_report(said), said, CATALOGUE)

    rows = team_lines(markdown)
    assert set(rows) >= {"alpha", "beta", "gamma"}
    beta = cells(rows["beta"])
    assert len(beta) == len(agenda.TEAM_HEADER)  # the cell count survives any text
    assert shown in beta[7] and beta[8] == shown
    assert "\n" not in rows["beta"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+1 more", "'+1 more"),
        ("plain words", "plain words"),
        (None, ""),
        ("  padded  ", "padded"),
    ],
)
def test_a_cell_that_would_run_as_a_formula_is_quoted(text, expected):
    assert pack.md_cell(text) == expected


def test_the_rollup_reads_small_to_large_and_keeps_problems_and_actions(report):
    rollup = pack.rollup_table(report, SAID)

    assert rollup.select("level", "group").rows() == [
        ("team", "gamma"), ("department", "growth"),
        ("team", "alpha"), ("team", "beta"), ("department", "sales"),
        ("company", "company"),
    ]  # fmt: skip
    beta = rollup.filter(group="beta").row(0, named=True)
    assert beta["problems"][0].endswith("Shoppers waited for coupons")  # newest first
    assert beta["next_actions"] == "Shorter coupon window"
    assert rollup.filter(level="department")["next_actions"].is_null().all()
    assert rollup.filter(level="company")["problems"].item().len() == 3


@pytest.mark.parametrize(
    ("team", "distinguishable"), [("alpha", True), ("beta", False), ("gamma", True)]
)
def test_the_rollup_says_which_contributions_stand_out_from_natural_growth(
    report, team, distinguishable
):
    rollup = pack.rollup_table(report, SAID)
    assert rollup.filter(group=team)["distinguishable"].item() is distinguishable


def test_the_csv_is_the_rollup_and_spreadsheet_safe():
    said = checkins([("beta", "off_track", "Stock ran out\nagain", "=cmd|' /C calc'!A0")])
    report = small_report(said)
    data = pack.meeting_csv(report, said)

    assert b"'=cmd" in data  # a spreadsheet shows the text instead of running it
    back = read_neutralised_csv(data)
    assert back["group"].to_list() == pack.rollup_table(report, said)["group"].to_list()
    beta = back.filter(group="beta").row(0, named=True)
    assert beta["next_actions"] == "=cmd|' /C calc'!A0"
    assert beta["problems"].endswith("Stock ran out\nagain")


@pytest.mark.parametrize(
    ("said", "found", "wanted"),
    [
        # beta off track, gamma at risk: both need a decision; alpha on track and says so
        ([("alpha", "on_track", "", "")], [], ["beta measures", "gamma measures"]),
        # alpha on track but reports off track: the meeting settles which holds
        ([("alpha", "off_track", "Stock", "")], [], ["alpha measures", "but reports ✗ Off track"]),
        ([], [("pull_forward", "alpha", None, "spring_sale", 5.0, "d")], ["Pull-forward (alpha"]),
    ],
)
def test_decisions_name_every_team_behind_or_disagreeing_and_every_flag(said, found, wanted):
    report = small_report(checkins(said), flags(found))
    rollup = pack.rollup_table(report, checkins(said))
    text = "\n".join(agenda.decisions(report, rollup, agenda.flag_table(report, CATALOGUE)))
    assert all(part in text for part in wanted)
    assert ("alpha" in text) == any("alpha" in part for part in wanted)


def test_a_company_on_track_and_likely_to_land_has_nothing_to_decide():
    report = small_report()
    calm = dataclasses.replace(
        report,
        review=report.review.with_columns(status=pl.lit("on_track"), reported_status=None),
        landing=dataclasses.replace(report.landing, probability=0.9),
    )
    rollup = pack.rollup_table(calm, checkins([]))
    flags_shown = agenda.flag_table(calm, CATALOGUE)
    assert agenda.decisions_markdown(calm, rollup, flags_shown) == agenda.NOTHING_TO_DECIDE


@pytest.mark.parametrize(
    ("department", "teams", "said"),
    [
        ("sales", ["alpha", "beta"], ["Shoppers waited for coupons", "Coupons arrived late",
                                      "Shorter coupon window", "Keep the weekly drops"]),
        ("growth", ["gamma"], ["Few visitors converted", "Tie videos to products"]),
    ],
)  # fmt: skip
def test_on_screen_each_department_lists_its_teams_problems_and_actions(
    report, department, teams, said
):
    rollup = pack.rollup_table(report, SAID)
    links = pack.department_teams(report, rollup, department)["team"].to_list()
    notes = pack.team_notes(rollup, department)

    assert links == [f"/team?team={team}&goal=g&as_of=2025-06-30" for team in teams]
    assert all(f"**{team}**" in notes for team in teams)
    assert all(text in notes for text in said)
