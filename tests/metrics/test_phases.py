"""Phases and assignments: files validated whole, team targets that close the gap, shortfalls."""

from __future__ import annotations

import datetime as dt
import json

import polars as pl
import pytest

from metrics.plan import decomposition as dec
from metrics.plan import phase_math
from metrics.plan.edits import set_goal
from metrics.plan.goals import Goal, goal_changes, monthly_targets
from metrics.plan.phase_review import load_team_phase_targets, respread_from_phase
from metrics.plan.phases import (
    assignments_from_csv,
    load_assignments,
    load_phases,
    phases_from_csv,
    save_assignments,
    save_phases,
    team_phase_targets,
)
from metrics.store.catalog import Metric, MetricKind, load_metrics
from metrics.store.errors import DataopsError, ValidationFailed
from tests.metrics.plan_factories import (
    GOAL_YEAR,
    baseline_frame,
    daily_values,
    freeze_baseline,
    seed_company,
)

START, END = dt.date(GOAL_YEAR, 1, 1), dt.date(GOAL_YEAR, 12, 31)
MONTHS = dec.goal_months(START, END)
PHASES_CSV = """phase,name,start,end,main_task
Q1,Spring,2025-01,2025-03,Win Spring Festival shoppers
Q2,Summer,2025-04,2025-06,Make 618 the biggest yet
H2,Autumn,2025-07,2025-12,Double 11 new buyers
"""
ASSIGNMENTS_CSV = """phase,team,share,indicator
Q1,growth,50%,gmv
Q1,content,0.3,dau
Q1,promo,20%,conversion
Q2,growth,33.33%,gmv
Q2,content,33.33%,orders
Q2,promo,33.34%,gmv
H2,promo,1,gmv
"""
CATALOGUE = {
    "gmv": Metric("gmv", "GMV", MetricKind.FLOW, "CNY"),
    "orders": Metric("orders", "Orders", MetricKind.FLOW, "orders"),
    "visitors": Metric("visitors", "Visitors", MetricKind.FLOW, "visitors"),
    "dau": Metric("dau", "DAU", MetricKind.LEVEL, "users"),
    "conversion": Metric("conversion", "CR", MetricKind.RATIO, "%", "orders", "visitors"),
}


@pytest.fixture
def company(con):
    seed_company(con)
    goal = Goal(f"gmv_{GOAL_YEAR}", "", "gmv", START, END, 1.7e9, dec.Method.EVEN)
    set_goal(con, goal, "ana")
    return con


def problems_of(error: ValidationFailed) -> list[str]:
    return [str(problem) for problem in error.problems]


def test_a_good_phases_file_is_read_in_time_order():
    phases = phases_from_csv(PHASES_CSV.encode("utf-8-sig"), "phases.csv", MONTHS)
    assert phases["phase"].to_list() == ["Q1", "Q2", "H2"]
    assert phases["end_month"][-1] == dt.date(GOAL_YEAR, 12, 1)


def test_every_problem_of_a_phases_file_is_listed_at_once():
    bad = """phase,name,start,end,main_task
Q1,,2025-01,2025-04,Spring
Q2,,2025-04,2025-05,
Q2,,2025-07,2025-06,Summer
Q4,,2025-13,2025-12,Double 11
"""
    with pytest.raises(ValidationFailed) as raised:
        phases_from_csv(bad, "phases.csv", MONTHS)
    found = problems_of(raised.value)
    assert found == [
        "phases.csv, row 4, column 'end', value '2025-06': is before start. "
        "Fix: swap start and end",
        "phases.csv, row 5, column 'start', value '2025-13': is not a month. "
        "Fix: write it as YYYY-MM",
        "phases.csv, row 3, column 'phase', value 'Q2': appears more than once. "
        "Fix: give each phase its own id, one row per phase",
        "phases.csv, row 3, column 'main_task', value '': is empty. "
        "Fix: say the phase's one main task, e.g. 'win Double 11 new buyers'",
        "phases.csv, row 4, column 'phase', value 'Q2': appears more than once. "
        "Fix: give each phase its own id, one row per phase",
    ]


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ("Q1,,2025-01,2025-05,a\nQ2,,2025-07,2025-12,b\n", "no phase covers 2025-06"),
        ("Q1,,2025-01,2025-06,a\nQ2,,2025-06,2025-12,b\n", "2025-06 is in phases Q1, Q2"),
        ("Q1,,2024-12,2025-06,a\nQ2,,2025-07,2025-12,b\n", "reaches outside the goal period"),
    ],
)
def test_phases_must_cover_the_period_without_overlap(rows, message):
    with pytest.raises(ValidationFailed, match=message):
        phases_from_csv("phase,name,start,end,main_task\n" + rows, "phases.csv", MONTHS)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "is empty"),
        ("phase,name,start\nQ1,a,2025-01\n", "has the header phase,name,start"),
        ("phase,name,start,end,main_task\nQ1,a,2025-01\n", "has 3 cells, expected 5"),
        (b"\xff\xfe\x00", "is not UTF-8 text"),
    ],
)
def test_unreadable_files_are_refused_with_a_fix(text, message):
    with pytest.raises(ValidationFailed, match=message) as raised:
        phases_from_csv(text, "phases.csv", MONTHS)
    assert "Fix:" in str(raised.value)


def test_assignments_accept_fractions_and_percentages(company):
    save_phases(company, f"gmv_{GOAL_YEAR}", phases_from_csv(PHASES_CSV, "p", MONTHS), "ana")
    rows = assignments_from_csv(company, f"gmv_{GOAL_YEAR}", ASSIGNMENTS_CSV, "assignments.csv")
    assert rows.filter(pl.col("phase") == "Q1")["share"].to_list() == [0.5, 0.3, 0.2]
    assert rows.group_by("phase").agg(pl.col("share").sum())["share"].to_list() == pytest.approx(
        [1.0, 1.0, 1.0]
    )


def test_every_problem_of_an_assignments_file_is_listed_at_once(company):
    save_phases(company, f"gmv_{GOAL_YEAR}", phases_from_csv(PHASES_CSV, "p", MONTHS), "ana")
    bad = """phase,team,share,indicator
Q1,growth,25,gmv
Q1,ghosts,50%,gmv
Q1,unassigned,10%,gmv
Q2,growth,0.5,nps
Q2,growth,0.4,gmv
Q9,promo,100%,gmv
H2,promo,99.9%,gmv
"""
    with pytest.raises(ValidationFailed) as raised:
        assignments_from_csv(company, f"gmv_{GOAL_YEAR}", bad, "assignments.csv")
    found = problems_of(raised.value)
    for fragment in (
        "row 2, column 'share', value '25.0': is outside 0..100%",
        "row 3, column 'team', value 'ghosts': is not a known team",
        "row 4, column 'team', value 'unassigned': is not a known team",
        "row 5, column 'indicator', value 'nps': is not a known indicator",
        "row 6: repeats phase Q2 and team growth of row 5",
        "row 7, column 'phase', value 'Q9': is not a known phase",
        "phase Q2's shares add up to 90.00%",
        "phase H2's shares add up to 99.90%",
    ):
        assert any(fragment in problem for problem in found), fragment
    assert len(found) == 9  # plus Q1's total of 25 + 50% + 10%
    assert load_assignments(company, f"gmv_{GOAL_YEAR}").is_empty()


def test_saving_phases_drops_assignments_of_removed_phases_and_records_them(company):
    goal = f"gmv_{GOAL_YEAR}"
    save_phases(company, goal, phases_from_csv(PHASES_CSV, "p", MONTHS), "ana")
    save_assignments(
        company, goal, assignments_from_csv(company, goal, ASSIGNMENTS_CSV, "a"), "ana"
    )
    halves = "phase,name,start,end,main_task\nQ1,,2025-01,2025-03,a\nH1b,,2025-04,2025-06,b\n"
    halves += "H2,,2025-07,2025-12,c\n"
    dropped = save_phases(company, goal, phases_from_csv(halves, "p", MONTHS), "ben")
    assert sorted(dropped["team"].to_list()) == ["content", "growth", "promo"]  # Q2's
    assert set(load_assignments(company, goal)["phase"]) == {"Q1", "H2"}
    change = goal_changes(company, goal).row(-1, named=True)
    assert change["action"] == "phases_set" and change["changed_by"] == "ben"
    assert len(json.loads(change["detail"])["after"]["dropped_assignments"]) == 3


def test_saving_assignments_replaces_only_the_phases_named(company):
    goal = f"gmv_{GOAL_YEAR}"
    save_phases(company, goal, phases_from_csv(PHASES_CSV, "p", MONTHS), "ana")
    save_assignments(
        company, goal, assignments_from_csv(company, goal, ASSIGNMENTS_CSV, "a"), "ana"
    )
    h2 = "phase,team,share,indicator\nH2,growth,60%,gmv\nH2,content,40%,dau\n"
    save_assignments(company, goal, assignments_from_csv(company, goal, h2, "a"), "ana")
    stored = load_assignments(company, goal)
    assert stored.filter(pl.col("phase") == "H2")["team"].to_list() == ["content", "growth"]
    assert stored.filter(pl.col("phase") == "Q1").height == 3
    assert load_phases(company, goal)["main_task"][0] == "Win Spring Festival shoppers"


def plan_inputs(metric: str, target: float):
    kind = CATALOGUE[metric].kind
    baseline = baseline_frame(START, END)
    monthly_natural = dec.monthly_natural(CATALOGUE[metric], baseline, MONTHS)
    months = dec.with_weights(kind, MONTHS, monthly_natural)
    method = dec.decompose(dec.Method.NATURAL, kind, target, months, natural=monthly_natural)
    none = pl.DataFrame(schema={"month": pl.Date, "target": pl.Float64, "note": pl.String})
    targets = dec.apply_overrides(kind, target, method, none)
    phases = phases_from_csv(PHASES_CSV, "p", MONTHS)
    assignments = pl.DataFrame(
        [
            ("Q1", "growth", 0.5, metric),
            ("Q1", "content", 0.3, "dau"),
            ("Q1", "promo", 0.2, "gmv"),
            ("Q2", "growth", 1.0, metric),
            ("H2", "promo", 0.7, metric),
            ("H2", "content", 0.3, "orders"),
        ],
        schema=["phase", "team", "share", "indicator"],
        orient="row",
    )
    natural = phase_math.natural_by_team_month(baseline)
    return targets, natural, phases, assignments


@pytest.mark.parametrize(
    ("metric", "target"), [("gmv", 1.7e9), ("dau", 176_000.0), ("conversion", 0.0350)]
)
def test_teams_reaching_their_targets_land_the_phase_target(metric, target):
    """If every assigned team hits its target (ratio: at its natural denominator) and the rest of
    the company runs at natural, the company lands exactly on each phase's target."""
    targets, natural, phases, assignments = plan_inputs(metric, target)
    result = team_phase_targets(
        targets, natural, phases, assignments, metric=CATALOGUE[metric], catalogue=CATALOGUE
    )
    kind = CATALOGUE[metric].kind
    for phase in ("Q1", "Q2", "H2"):
        rows = result.filter(pl.col("phase") == phase)
        in_phase = phase_math.month_phases(targets, phases).filter(pl.col("phase") == phase)
        phase_target = dec.period_value(kind, in_phase)
        company = company_natural(natural, phases, phase, CATALOGUE[metric], in_phase)
        assert rows["gap"].to_list() == pytest.approx([phase_target - company] * rows.height)
        if kind is MetricKind.RATIO:
            dens = team_denominators(natural, phases, phase)
            company_den = sum(dens.values())
            gained = sum(r["uplift"] * dens[r["team"]] for r in rows.iter_rows(named=True))
            assert gained / company_den == pytest.approx(rows["gap"][0], rel=1e-9)
        else:
            assert rows["uplift"].sum() == pytest.approx(rows["gap"][0], rel=1e-9)


def company_natural(
    natural: pl.DataFrame, phases: pl.DataFrame, phase: str, metric: Metric, months: pl.DataFrame
) -> float:
    rows = phase_math.month_phases(natural, phases).filter(pl.col("phase") == phase)
    total = dict(rows.group_by("metric").agg(pl.col("value").sum()).iter_rows())
    if metric.kind is MetricKind.RATIO:
        return total["orders"] / total["visitors"]
    days = months["days"].sum() if metric.kind is MetricKind.LEVEL else 1
    return total[metric.metric] / days


def team_denominators(natural: pl.DataFrame, phases: pl.DataFrame, phase: str) -> dict[str, float]:
    rows = phase_math.month_phases(natural, phases).filter(
        (pl.col("phase") == phase) & (pl.col("metric") == "visitors")
    )
    return dict(rows.group_by("team").agg(pl.col("value").sum()).iter_rows())


def test_an_indicator_gets_the_teams_relative_uplift():
    targets, natural, phases, assignments = plan_inputs("gmv", 1.7e9)
    result = team_phase_targets(
        targets, natural, phases, assignments, metric=CATALOGUE["gmv"], catalogue=CATALOGUE
    )
    for row in result.iter_rows(named=True):
        relative = row["uplift"] / row["natural"]
        assert row["indicator_target"] / row["indicator_natural"] - 1 == pytest.approx(relative)
    dau = result.filter(pl.col("indicator") == "dau").row(0, named=True)
    assert dau["indicator_natural"] < 1e6  # a per-day level, not a sum over the phase


def actuals_factory(targets: pl.DataFrame, factor: float, through: int) -> pl.DataFrame:
    """Actuals at `factor` of each month's target, complete for months up to `through`."""
    return targets.select(
        "month",
        actual=pl.col("target") * factor,
        complete=pl.col("month").dt.month() <= through,
    )


@pytest.mark.parametrize(("metric", "target"), [("gmv", 1.7e9), ("dau", 176_000.0)])
def test_a_shortfall_moves_to_later_months_and_the_total_holds(metric, target):
    targets, _, phases, _ = plan_inputs(metric, target)
    kind = CATALOGUE[metric].kind
    actuals = actuals_factory(targets, 0.9, through=3)
    standing = phase_math.phase_shortfalls(targets, actuals, phases, kind=kind)
    q1 = standing.row(0, named=True)
    assert q1["ended"] and q1["shortfall"] == pytest.approx(0.1 * q1["target"])
    assert not standing["ended"][1]
    new = phase_math.respread_shortfall(targets, actuals, phases, "Q1", kind=kind, target=target)
    assert dec.period_value(kind, new) == pytest.approx(target, rel=1e-12)
    first = new.filter(pl.col("month").dt.month() <= 3)
    assert first["overridden"].all() and first["note"][0].startswith("set to actual")
    assert first["target"].to_list() == pytest.approx((first["method_target"] * 0.9).to_list())
    later = new.filter(pl.col("month").dt.month() > 3)
    assert (later["target"] > later["method_target"]).all()


@pytest.mark.parametrize(
    ("phase", "factor", "through", "message"),
    [
        ("Q1", 0.9, 2, "has not ended"),
        ("Q1", 1.1, 3, "is not short of its target"),
        ("Q7", 0.9, 3, "there is no phase 'Q7'"),
        ("H2", 0.9, 12, "no later month is free"),
    ],
)
def test_a_respread_that_cannot_be_done_is_refused(phase, factor, through, message):
    targets, _, phases, _ = plan_inputs("gmv", 1.7e9)
    actuals = actuals_factory(targets, factor, through)
    with pytest.raises(DataopsError, match=message):
        phase_math.respread_shortfall(
            targets, actuals, phases, phase, kind=MetricKind.FLOW, target=1.7e9
        )


def test_team_targets_and_respread_from_the_store(company):
    goal = f"gmv_{GOAL_YEAR}"
    save_phases(company, goal, phases_from_csv(PHASES_CSV, "p", MONTHS), "ana")
    save_assignments(
        company, goal, assignments_from_csv(company, goal, ASSIGNMENTS_CSV, "a"), "ana"
    )
    assert load_team_phase_targets(company, goal).is_empty()  # no baseline frozen yet
    freeze_baseline(company, goal, baseline_frame(START, END))
    teams = load_team_phase_targets(company, goal)
    assert teams.height == 7 and teams["target"].null_count() == 0
    assert set(teams["indicator"]) <= set(load_metrics(company))

    q1_actual = daily_values(START, dt.date(GOAL_YEAR, 3, 31), seed=5, growth=0.9)
    rows = q1_actual.select("day", "metric", "team", value="yhat")  # noqa: F841
    company.execute("insert into observations select * from rows")
    standing, new = respread_from_phase(company, goal, "Q1", "ben")
    assert standing["shortfall"] > 0
    assert monthly_targets(company, goal)["target"].sum() == pytest.approx(1.7e9, rel=1e-12)
    assert goal_changes(company, goal)["action"][-1] == "shortfall_respread"
    assert new.filter("overridden").height == 3
