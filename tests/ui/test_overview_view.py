"""What the Overview shows, from a report: the waterfall adds up, the band sits around the
baseline in every metric kind, statuses and flags read in words, tables link to teams."""

from __future__ import annotations

import dataclasses

import polars as pl
import pytest

from metrics.contribution.bands import natural_band
from metrics.contribution.report import build_report
from metrics.store.catalog import MetricKind
from tests.metrics.contribution_store import build
from tests.ui.report_factory import NUMBERS, checkins, flags, small_report
from ui import overview_charts as charts
from ui import overview_view as view


def uplift_steps(steps: pl.DataFrame) -> pl.DataFrame:
    return steps.filter(step="uplift")


@pytest.mark.parametrize("max_teams", [12, 3, 2])
def test_the_waterfall_adds_up_from_natural_through_the_uplifts_to_the_actual(max_teams):
    report = small_report()
    steps = charts.waterfall_frame(report, max_teams=max_teams)

    uplifts = uplift_steps(steps)
    natural = steps.filter(step="natural")["end"].item()
    added = (uplifts["end"] - uplifts["start"]).sum()
    assert natural + added == pytest.approx(report.company.actual_to_date)
    assert uplifts["end"][-1] == pytest.approx(steps.filter(step="actual")["end"].item())
    assert uplifts["start"][1:].to_list() == pytest.approx(uplifts["end"][:-1].to_list())
    assert uplifts.height == min(len(NUMBERS), max_teams)


def test_beyond_the_limit_the_smallest_uplifts_are_one_step():
    steps = uplift_steps(charts.waterfall_frame(small_report(), max_teams=2))
    # alpha +30 is kept; beta -10 and gamma +7 are summed
    assert steps["label"].to_list() == ["alpha", "2 other teams"]
    assert steps["text"].to_list() == ["+¥30", "-¥3"]


@pytest.mark.parametrize(
    ("higher_is_better", "target_to_date", "step", "text"),
    [
        (True, 400.0, "shortfall", "¥23 short"),  # actual 377
        (True, 350.0, "surplus", "¥27 ahead"),
        (False, 350.0, "shortfall", "¥27 short"),  # lower is better: above target is short
        (False, 400.0, "surplus", "¥23 ahead"),
    ],
)
def test_the_gap_to_the_target_is_a_shortfall_or_a_surplus(
    higher_is_better, target_to_date, step, text
):
    report = small_report(higher_is_better=higher_is_better)
    report = dataclasses.replace(
        report, company=dataclasses.replace(report.company, target_to_date=target_to_date)
    )
    steps = charts.waterfall_frame(report)

    gap = steps.filter(pl.col("step").is_in(["shortfall", "surplus"])).row(0, named=True)
    assert (gap["step"], gap["text"]) == (step, text)
    assert (gap["start"], gap["end"]) == (377.0, target_to_date)
    assert steps["label"][-1] == "Target to date"


def test_without_a_target_to_date_the_waterfall_stops_at_the_actual():
    report = small_report()
    pending = dataclasses.replace(
        report, company=dataclasses.replace(report.company, target_to_date=None)
    )
    assert charts.waterfall_frame(pending)["step"][-1] == "actual"


@pytest.mark.parametrize(
    ("metric", "label"),
    [("gmv", "Cumulative GMV"), ("dau", "Average DAU per day"), ("conversion", "Conversion")],
)
def test_the_baseline_band_surrounds_the_running_baseline_in_every_kind(con, metric, label):
    goal = build(con, metric)
    report = build_report(con, goal)
    band = natural_band(con, goal)

    assert band["day"].dt.day().min() >= 28 and band.height == 12  # every month end
    at = band.join(report.running, on="day")
    assert (at["lower"] <= at["natural_to_date"]).all()
    assert (at["natural_to_date"] <= at["upper"]).all()
    assert charts.running_label(report).startswith(label)


def test_a_goal_without_calibrated_paths_has_no_band(con):
    goal = build(con, "gmv")
    con.execute("delete from calibration_draws")
    assert natural_band(con, goal).is_empty()


@pytest.mark.parametrize(
    ("team", "interval"),
    [
        ("alpha", "¥20 to ¥40"),
        ("beta", f"-¥25 to ¥5: {view.NOT_DISTINGUISHABLE}"),
        ("gamma", "¥4 to ¥10"),
    ],
)
def test_an_uplift_whose_interval_holds_zero_is_not_told_apart_from_natural(team, interval):
    rows = view.team_table(small_report())
    row = rows.filter(pl.col("team").str.contains(f"team={team}&")).row(0, named=True)
    assert row["uplift_interval"] == interval


def test_each_team_links_to_its_review_and_shows_its_flags_in_words():
    found = flags(
        [
            ("pull_forward", "alpha", None, "spring_sale", 12.0, "d"),
            ("cannibalisation", "alpha", "beta", "member_days", 8.0, "d"),
        ]
    )
    rows = view.team_table(small_report(checkins([]), found))

    assert rows["team"].to_list() == [
        f"/team?team={team}&goal=g&as_of=2025-06-30" for team in ("alpha", "gamma", "beta")
    ]  # biggest uplift first
    said = dict(zip(rows["team"].str.extract(r"team=(\w+)"), rows["flags"], strict=True))
    assert said == {
        "alpha": "pull-forward; cannibalisation of beta",
        "beta": "cannibalisation by alpha",
        "gamma": "",
    }


@pytest.mark.parametrize(
    ("kind", "team", "other", "flag", "teams"),
    [
        ("pull_forward", "alpha", None, "Pull-forward", "alpha"),
        ("cannibalisation", "alpha", "beta", "Cannibalisation", "alpha (acting), beta (held down)"),
        ("local_win_global_loss", "gamma", None, "Local win, global loss", "gamma"),
    ],
)
def test_every_flag_is_shown_in_plain_words(kind, team, other, flag, teams):
    report = small_report(found=flags([(kind, team, other, "x", 8.0, "what happened")]))
    row = view.flag_table(report, {"gmv": report.metric}).row(0, named=True)
    assert row == {
        "flag": flag, "teams": teams, "initiative": "x", "window": "2025-03-01 to 2025-03-14",
        "amount": "¥8 of gmv", "what": "what happened",
    }  # fmt: skip


@pytest.mark.parametrize(
    ("status", "text", "coloured"),
    [
        ("on_track", "✓ On track", ":green[✓ On track]"),
        ("at_risk", "⚠ At risk", ":orange[⚠ At risk]"),
        ("off_track", "✗ Off track", ":red[✗ Off track]"),
        (None, view.NO_STATUS, view.NO_STATUS),
    ],
)
def test_statuses_are_words_with_a_mark_and_colour(status, text, coloured):
    assert view.status_text(status) == text
    assert view.status_markdown(status) == coloured


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({}, "yen"),
        ({"unit": "USD"}, "dollar"),
        ({"unit": "users", "name": "DAU"}, "%,.2f users"),  # the factory's target is 900
        ({"unit": "%", "kind": MetricKind.RATIO}, "percent"),
    ],
)
def test_table_numbers_carry_the_goal_metrics_unit(changes, expected):
    assert view.value_format(small_report(**changes)) == expected


def test_the_tiles_show_the_reports_numbers():
    report = small_report()
    tiles = {tile.label: tile for tile in view.headline(report)}
    assert tiles["Target"].value == "¥900"
    assert tiles["Actual to date"].value == "¥377"
    assert (tiles["Pace"].value, tiles["Pace"].status) == ("94.2%", "at_risk")
    assert tiles["Projected landing"].value == "¥820"
    assert tiles["Projected landing"].note == "80% interval ¥780 to ¥860"
    assert tiles["Chance of reaching the target"].value == "20.0%"
    assert "¥835" in view.run_rate_note(report)  # the run-rate landing, labelled apart
