"""The Phases page's pure parts: edited rows are refused with every problem, rows counted as the
editor shows them; good rows come back as the domain saves them; share totals; shortfalls."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from metrics.plan.decomposition import goal_months
from ui import phases_view as view

MONTHS = goal_months(dt.date(2025, 1, 1), dt.date(2025, 12, 31))
PHASES = [
    ("H1", "First half", "2025-01", "2025-06", "Win 618"),
    ("H2", "Second half", "2025-07", "2025-12", "Win Double 11"),
]
ASSIGNED = [("H1", "growth", 60.0, "gmv"), ("H1", "promo", 40.0, "orders")]
ASSIGNED += [("H2", "growth", 50.0, "dau"), ("H2", "promo", 50.0, "gmv")]
NONE_STORED = pl.DataFrame(schema={"phase": pl.String, "team": pl.String, "share": pl.Float64})
KNOWN = (["H1", "H2"], {"growth", "promo", "unassigned"}, {"gmv", "orders", "dau"})


def phases(rows) -> pl.DataFrame:
    return pl.DataFrame(rows, schema=view.PHASE_SCHEMA, orient="row")


def assignments(rows) -> pl.DataFrame:
    return pl.DataFrame(rows, schema=view.ASSIGNMENT_SCHEMA, orient="row")


def located(problems) -> list[tuple]:
    return [(p.row, p.column, p.message) for p in problems]


def test_good_phases_come_back_in_time_order_as_the_store_keeps_them():
    saved, problems = view.phases_from_editor(phases(PHASES[::-1]), MONTHS)
    assert problems == []
    assert saved.columns == ["phase", "name", "start_month", "end_month", "main_task"]
    assert saved["phase"].to_list() == ["H1", "H2"]
    assert saved["end_month"].to_list() == [dt.date(2025, 6, 1), dt.date(2025, 12, 1)]
    assert view.phases_editor_frame(saved).equals(phases(PHASES))


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({1: ("H2", "", "2025-07", "2025-11", "x")}, [(None, None, "no phase covers 2025-12")]),
        (
            {1: ("H1", "", "2025-07", "2025-12", "x")},
            [(1, "phase", "appears more"), (2, "phase", "appears more")],
        ),
        ({0: ("H1", "", "2025-01", "2025-07", "x")}, [(None, None, "2025-07 is in phases H1, H2")]),
        ({0: ("H1", "", "2025-01", "2025-06", "")}, [(1, "main_task", "is empty")]),
        (
            {0: ("H1", "", "2025-06", "2025-01", "x")},
            [(1, "end", "is before start"), (None, None, "no phase covers 2025-01")],
        ),
        ({0: ("", "", "2025-01", "2025-06", "x")}, [(1, "phase", "is empty")]),
        ({0: ("H1", "", None, "2025-06", "x")}, [(1, "start", "is not a month")]),
        ({0: ("H1", "", "2024-12", "2025-06", "x")}, [(1, "start", "reaches outside")]),
    ],
)
def test_every_problem_of_edited_phases_is_listed_with_the_editors_row(change, expected):
    rows = [change.get(index, row) for index, row in enumerate(PHASES)]
    saved, problems = view.phases_from_editor(phases(rows), MONTHS)
    assert saved is None
    found = located(problems)
    assert [(r, c) for r, c, _ in found] == [(r, c) for r, c, _ in expected]
    assert all(m.startswith(e) for (_, _, m), (_, _, e) in zip(found, expected, strict=True))
    assert all(problem.fix for problem in problems)


def test_good_assignments_come_back_as_fractions():
    saved, problems = view.assignments_from_editor(assignments(ASSIGNED), *KNOWN, NONE_STORED)
    assert problems == []
    assert saved.columns == ["phase", "team", "share", "indicator"]
    assert saved["share"].to_list() == [0.6, 0.4, 0.5, 0.5]
    assert view.assignments_editor_frame(saved).equals(assignments(ASSIGNED))


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({0: ("H1", "growth", 70.0, "gmv")}, [(None, "share", "phase H1's shares add up to 110")]),
        ({0: ("H1", "growth", 160.0, "gmv"), 1: ("H1", "promo", -60.0, "orders")},
         [(1, "share", "is outside 0..100%"), (2, "share", "is outside 0..100%")]),
        ({0: ("H1", "growth", None, "gmv")}, [(1, "share", "is not a share")]),
        ({0: ("H3", "growth", 60.0, "gmv")},
         [(1, "phase", "is not a known phase"), (None, "share", "phase H3's shares add up to 60"),
          (None, "share", "phase H1's shares add up to 40")]),
        ({0: ("H1", "unassigned", 60.0, "gmv")}, [(1, "team", "is not a known team")]),
        ({0: ("H1", "growth", 60.0, "nps")}, [(1, "indicator", "is not a known indicator")]),
        ({1: ("H1", "growth", 40.0, "orders")}, [(2, None, "repeats phase H1 and team growth")]),
    ],
)  # fmt: skip
def test_every_problem_of_edited_assignments_is_listed_with_the_editors_row(change, expected):
    rows = [change.get(index, row) for index, row in enumerate(ASSIGNED)]
    saved, problems = view.assignments_from_editor(assignments(rows), *KNOWN, NONE_STORED)
    assert saved is None
    found = located(problems)
    assert [(r, c) for r, c, _ in found] == [(r, c) for r, c, _ in expected]
    assert all(m.startswith(e) for (_, _, m), (_, _, e) in zip(found, expected, strict=True))


def test_a_phase_whose_rows_were_all_deleted_is_a_problem_not_a_silent_keep():
    stored, _ = view.assignments_from_editor(assignments(ASSIGNED), *KNOWN, NONE_STORED)
    saved, problems = view.assignments_from_editor(assignments(ASSIGNED[:2]), *KNOWN, stored)
    assert saved is None
    assert located(problems) == [(None, None, "phase H2 has no rows left")]


def test_share_totals_say_which_phases_make_a_whole():
    rows = [*ASSIGNED[:3], ("H2", "promo", 40.0, "gmv"), (None, "growth", 5.0, "gmv")]
    totals = view.share_totals(assignments(rows))
    assert totals.rows() == [("H1", 2, 1.0, True), ("H2", 2, 0.9, False)]
    thirds = assignments([("H1", team, 33.3333, "gmv") for team in ("a", "b", "c")])
    assert view.share_totals(thirds)["whole"].to_list() == [True]


SHORTFALLS = pl.DataFrame(
    {
        "phase": ["Q1", "Q2", "Q3", "Q4"],
        "start_month": [dt.date(2025, m, 1) for m in (1, 4, 7, 10)],
        "end_month": [dt.date(2025, m, 1) for m in (3, 6, 9, 12)],
        "target": [100.0, 100.0, 100.0, 100.0],
        "actual": [90.0, 120.0, 95.0, 99.0],
        "shortfall": [10.0, -20.0, 5.0, 1.0],
        "ended": [True, True, True, False],
    }
)


def test_only_ended_short_phases_with_a_phase_after_them_can_be_respread():
    assert view.respreadable(SHORTFALLS) == ["Q1", "Q3"]
    assert view.respreadable(SHORTFALLS.with_columns(ended=pl.lit(True))) == ["Q1", "Q3"]
    table = view.shortfall_table(SHORTFALLS)
    assert table.row(0) == ("Q1", "2025-01 – 2025-03", 100.0, 90.0, 10.0, "ended")
    assert table["state"][-1] == "running"
