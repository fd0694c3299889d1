"""The Team review page's shaping: one team's rows, words for people, flags as sentences."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from metrics.checks.flags import FLAG_SCHEMA
from metrics.store.catalog import Metric, MetricKind, Team
from metrics.store.errors import Problem, ValidationFailed
from ui import team_view as view
from ui.team_charts import axis_title, team_vs_natural_figure

GMV = Metric("gmv", "GMV", MetricKind.FLOW, "CNY")
AOV = Metric("aov", "Average order value", MetricKind.RATIO, "CNY", "gmv", "orders")
CONVERSION = Metric("conversion", "Conversion", MetricKind.RATIO, "%", "orders", "visitors")
TEAMS = {
    "unassigned": Team("unassigned", "Unassigned", "unassigned"),
    "promo": Team("promo", "Promotions", "commerce"),
    "merch": Team("merch", "Merchandising", "commerce"),
}


def test_a_lead_reviews_every_team_but_unassigned():
    assert view.team_ids(TEAMS) == ["merch", "promo"]
    assert view.team_label(TEAMS, "promo") == "Promotions (promo)"


def test_an_unknown_team_is_named_with_the_teams_there_are():
    message = view.unknown_team_message("promos", ["merch", "promo"])
    assert "`promos`" in message and "`merch`, `promo`" in message


@pytest.mark.parametrize(
    ("metric", "value", "shown"),
    [(GMV, 16_473_000.0, "¥16.47M"), (AOV, 82.5, "¥82.50"), (CONVERSION, 0.0312, "3.12%")],
)
def test_values_carry_their_metrics_unit(metric, value, shown):
    assert view.value_text(value, metric) == shown


@pytest.mark.parametrize(
    ("lower", "upper", "distinguishable", "expected"),
    [
        (1e6, 2e6, True, "80% interval ¥1.00M to ¥2.00M"),
        (-1e6, 2e6, False, "not distinguishable from natural growth (80% interval -¥1.00M"),
        (None, None, None, "no interval"),
    ],
)
def test_uplift_says_whether_it_stands_out_from_natural_growth(
    lower, upper, distinguishable, expected
):
    row = {"uplift_lower": lower, "uplift_upper": upper, "distinguishable": distinguishable}
    assert view.uplift_text(row, GMV).startswith(expected)


def flag(kind, team, other=None, initiative="sale", amount=3e6) -> dict:
    start, end = dt.date(2025, 3, 15), dt.date(2025, 4, 5)
    return {
        "kind": kind, "team": team, "other_team": other, "initiative": initiative,
        "metric": "gmv", "start_day": start, "end_day": end, "amount": amount, "detail": "d",
    }  # fmt: skip


@pytest.mark.parametrize(
    ("row", "seen_by", "expected"),
    [
        (flag("pull_forward", "promo"), "promo", "Pull-forward: after Spring sale your GMV"),
        (flag("cannibalisation", "promo", "merch"), "promo", "while your Spring sale ran"),
        (flag("cannibalisation", "promo", "merch"), "merch", "while promo's Spring sale ran"),
        (flag("local_win_global_loss", "merch", None, None, -2e5), "merch", "Local win, global"),
    ],
)
def test_flags_read_as_sentences_from_the_teams_side(row, seen_by, expected):
    sentence = view.flag_sentence(row, seen_by, {"sale": "Spring sale"}, GMV)
    assert expected in sentence
    assert "15 Mar to 05 Apr" in sentence


def test_flag_table_keeps_the_flags_a_team_acted_in_or_was_hit_by():
    flags = pl.DataFrame(
        [
            flag("pull_forward", "promo"),
            flag("cannibalisation", "promo", "merch"),
            flag("pull_forward", "users"),
        ],
        schema=FLAG_SCHEMA,
    )
    shown = view.flag_table(flags, "merch", {}, {"gmv": GMV})
    assert shown.height == 1
    assert shown["what happened"][0].startswith("Cannibalisation: while promo's sale ran")


def test_initiatives_list_the_goal_metric_first_with_the_unattributed_rest_named():
    initiatives = pl.DataFrame(
        {
            "metric": ["visitors", "gmv", "gmv", "gmv"],
            "team": ["promo", "promo", "promo", "merch"],
            "initiative": ["sale", "sale", None, "week"],
            "name": ["Sale", "Sale", None, "Week"],
            "kind": ["initiative", "initiative", "unattributed", "initiative"],
            "active_days": [10, 10, 240, 7],
            "per_day": [1.0, 10.0, None, 3.0],
            "uplift": [10.0, 100.0, -5.0, 21.0],
        }
    )
    intervals = pl.DataFrame(
        {
            "metric": ["gmv", "gmv", "visitors"],
            "initiative": ["sale", None, "sale"],
            "uplift_lower": [90.0, -20.0, 8.0],
            "uplift_upper": [110.0, 9.0, 12.0],
        }
    )
    shown = view.initiative_table(initiatives, intervals, "promo", "gmv")

    assert shown["metric"].to_list() == ["gmv", "gmv", "visitors"]
    assert shown["initiative"][1].startswith("unattributed")
    assert shown["uplift low (80%)"].to_list() == [90.0, -20.0, 8.0]
    assert shown["distinguishable from natural growth"].to_list() == [True, False, True]


def test_checkins_newest_first_with_statuses_in_words():
    checkins = pl.DataFrame(
        {
            "created_at": [dt.datetime(2025, 5, 1), dt.datetime(2025, 6, 1)],
            "author": ["Ana", "Bo"],
            "status": ["on_track", "at_risk"],
            "notes": ["", "n"],
            "problems": ["", "p"],
            "next_actions": ["", "a"],
        }
    )
    shown = view.checkin_table(checkins)
    assert shown["by"].to_list() == ["Bo", "Ana"]
    assert shown["status"].to_list() == ["⚠ At risk", "✓ On track"]


def test_a_refusal_lists_every_problem_with_its_fix():
    error = ValidationFailed(
        [
            Problem("check-in", "has no author", "say who reports", None, "author", ""),
            Problem("check-in", "is at_risk without problems", "say what", None, "problems"),
        ]
    )
    lines = view.refusal_text(error).splitlines()
    assert lines == [
        "- **author** has no author. Fix: say who reports.",
        "- **problems** is at_risk without problems. Fix: say what.",
    ]


@pytest.mark.parametrize(
    ("metric", "per", "title"),
    [
        (GMV, "day", "GMV per day (CNY)"),
        (GMV, "week", "GMV per day (CNY), weekly average"),
        (CONVERSION, "week", "Conversion (%), by week"),
    ],
)
def test_the_chart_axis_says_what_one_point_means(metric, per, title):
    assert axis_title(metric, per) == title


def test_the_chart_shades_each_initiative_behind_actual_natural_and_its_interval():
    days = [dt.date(2025, 1, 1) + dt.timedelta(days=k) for k in range(5)]
    frame = pl.DataFrame(
        {
            "period": days,
            "actual": [10.0, 11.0, 12.0, None, None],
            "natural": [10.0] * 5,
            "natural_lower": [9.0] * 5,
            "natural_upper": [11.0] * 5,
        }
    )
    windows = pl.DataFrame(
        {
            "initiative": ["sale"],
            "name": ["Spring sale"],
            "start_day": [days[1]],
            "end_day": [days[2]],
        }
    )
    figure = team_vs_natural_figure(
        frame, windows, metric=GMV, team_name="Promotions", as_of=days[2], per="day"
    )
    names = [trace.name for trace in figure.data]

    assert names[1:] == ["natural growth: 80% interval", "natural growth", "Promotions: actual"]
    shaded = [shape for shape in figure.layout.shapes if shape.type == "rect"]
    assert len(shaded) == 1 and shaded[0].x1 == days[3]  # the window's last day is shaded whole
    assert [a.text for a in figure.layout.annotations] == ["Spring sale"]
