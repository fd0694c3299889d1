"""The demo plan: a goal every page can show, valid by the same rules users' plans meet."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from metrics.demo import DemoConfig, generate
from metrics.demo.config import METRICS, teams_frame
from metrics.demo.plan import UPLIFT, demo_plan, natural_gmv_estimate
from metrics.plan import decomposition as dec
from metrics.plan.checkins import load_checkins
from metrics.plan.goals import list_goals, load_goal, monthly_targets
from metrics.plan.phase_review import load_team_phase_targets
from metrics.plan.phases import load_assignments, load_phases, validate_assignments, validate_phases
from metrics.store.catalog import MetricKind, load_metrics, load_teams
from metrics.store.connection import open_store
from workflows.demo import build_demo_store


@pytest.mark.parametrize("teams", [2, 5, 12])
def test_the_plan_passes_the_rules_users_plans_meet(teams):
    config = DemoConfig(seed=3, teams=teams, years=1, end=dt.date(2025, 8, 31))
    plan = demo_plan(generate(config), with_baseline=True)
    months = dec.goal_months(plan.goal.start_day, plan.goal.end_day)
    phases = plan.phases.with_row_index("row", offset=2).cast({"row": pl.Int64})
    assert validate_phases(phases, months, "demo") == []
    known = set(teams_frame(config)["team"])
    rows = plan.assignments.with_row_index("row", offset=2).cast({"row": pl.Int64})
    problems = validate_assignments(
        rows, ["Q1", "Q2", "Q3", "Q4"], known, set(METRICS["metric"]), "demo"
    )
    assert problems == []
    assert plan.assignments.group_by("phase").len()["len"].to_list() == [teams] * 4
    assert len(plan.checkins) == min(teams, 5)
    assert any(problems for *_, problems, _ in plan.checkins)


def test_tactics_put_the_most_weight_on_the_festival_months():
    plan = demo_plan(
        generate(DemoConfig(seed=3, teams=2, years=1, end=dt.date(2026, 3, 1))), with_baseline=True
    )
    weights = plan.tactics.group_by(pl.col("month").dt.month()).agg(pl.col("weight").sum())
    by_month = dict(weights.iter_rows())
    assert max(by_month, key=by_month.get) == 11  # Double 11
    assert by_month[6] > by_month[5] and by_month[6] > by_month.get(7, 0)  # 618
    assert by_month[1] + by_month[2] >= 4  # Spring Festival run-up (17 Feb 2026)


def test_the_target_is_about_ten_percent_over_the_planted_natural():
    """With a whole year of planted natural growth, the estimate is exact and the uplift is the
    demo's stated stretch (before rounding the target to millions)."""
    data = generate(DemoConfig(seed=3, teams=5, years=1, end=dt.date(2024, 12, 31)))
    planted = data.truth_natural.filter(
        (pl.col("metric") == "gmv") & (pl.col("day").dt.year() == 2024)
    )["value"].sum()
    assert natural_gmv_estimate(data) == pytest.approx(planted, rel=1e-12)
    uplift = demo_plan(data, with_baseline=False).goal.target / planted - 1
    assert uplift == pytest.approx(UPLIFT, abs=0.002)


def test_the_shared_demo_store_has_a_goal_split_evenly_with_its_plan(demo_store):
    with open_store(demo_store, read_only=True) as con:
        [goal_id] = list_goals(con)["goal"].to_list()
        goal = load_goal(con, goal_id)
        targets = monthly_targets(con, goal_id)
        phases, assignments = load_phases(con, goal_id), load_assignments(con, goal_id)
        checkins = load_checkins(con, goal=goal_id)
        teams = set(load_teams(con)) - {"unassigned"}
    assert goal.method is dec.Method.EVEN and goal.metric == "gmv"
    assert dec.period_value(MetricKind.FLOW, targets) == pytest.approx(goal.target, rel=1e-12)
    assert phases["phase"].to_list() == ["Q1", "Q2", "Q3", "Q4"]
    assert set(assignments["team"]) == teams
    assert set(checkins["status"]) == {"on_track", "at_risk", "off_track"}


@pytest.mark.slow
def test_dataops_demo_freezes_the_baseline_and_splits_by_tactics(tmp_path):
    """The real runner on a tiny company: the path `make run` takes, end to end."""
    path = tmp_path / "demo.duckdb"
    config = DemoConfig(seed=5, teams=2, years=2, end=dt.date(2025, 6, 30))
    summary = build_demo_store(path, config, forecast=True, workers=2)
    assert summary.goal == "gmv_2025 (method tactic)"
    with open_store(path, read_only=True) as con:
        goal = load_goal(con, "gmv_2025")
        targets = monthly_targets(con, "gmv_2025")
        teams = load_team_phase_targets(con, "gmv_2025")
        kinds = {name: metric.kind for name, metric in load_metrics(con).items()}
    assert kinds["gmv"] is MetricKind.FLOW
    assert targets["target"].sum() == pytest.approx(goal.target, rel=1e-12)
    assert (
        targets.filter(pl.col("month").dt.month() == 11)["target"].item() == targets["target"].max()
    )
    assert teams.height == 8 and teams["indicator_target"].null_count() == 0
    assert (teams["target"] > teams["natural"]).all()
