"""The measurements hold on a second company, not the one the defaults were looked at on.

The demo tests use seed 7 with 5 teams; this company has another seed, 4 teams, its own
campaign dates and a goal year that ends on 31 December, fitted end to end by the real runner.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest

from metrics.contribution.report import build_report
from metrics.store.connection import open_store
from tests.metrics.test_checks import planted_problems
from tests.metrics.test_contribution import planted_by_team, uplift_misses

pytestmark = pytest.mark.slow
CONFIG = {"seed": 13, "teams": 4, "years": 3, "end": dt.date(2025, 12, 31)}


@pytest.fixture(scope="module")
def measured(tmp_path_factory):
    from filelock import FileLock

    from forecasting.runner import freeze_goal_baseline
    from metrics.demo import DemoConfig
    from workflows.demo import build_demo_store

    base = tmp_path_factory.getbasetemp()
    shared = base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base
    path = Path(shared) / "unseen_company.duckdb"
    with FileLock(str(path) + ".lock"):
        if not path.exists():
            building = path.with_suffix(".building")
            building.unlink(missing_ok=True)
            build_demo_store(building, DemoConfig(**CONFIG))
            with open_store(building, read_only=True) as con:
                goal = con.execute("select goal from goals").fetchall()[0][0]
            assert not freeze_goal_baseline(building, goal).failed
            building.rename(path)
    with open_store(path, read_only=True) as con:
        goal = con.execute("select goal from goals").fetchall()[0][0]
        report = build_report(con, goal)
        return report, planted_by_team(con, report), planted_problems(con, report)


def test_every_teams_uplift_is_within_tolerance_of_what_was_planted(measured):
    report, truth, _ = measured
    assert uplift_misses(report, truth) == {}


def test_exactly_the_planted_problems_are_flagged(measured):
    report, _, planted = measured
    keys = ["kind", "team", "other_team", "initiative"]
    assert {"pull_forward", "cannibalisation"} <= set(planted["kind"])
    assert set(report.flags.select(keys).iter_rows()) == set(planted.select(keys).iter_rows())
