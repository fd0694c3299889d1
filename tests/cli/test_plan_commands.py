"""`dataops goal`, `phase` and `checkin`: exit codes, messages, and what lands in the store."""

from __future__ import annotations

import datetime as dt
import json
import sys
import types
from pathlib import Path

import polars as pl
import pytest

from forecasting.report import RunReport
from metrics.demo.config import METRICS, DemoConfig, teams_frame
from metrics.forecasts import reads as forecast_store
from metrics.plan.decomposition import goal_months
from metrics.plan.files import parse_tactics
from metrics.plan.goals import monthly_targets
from metrics.plan.phases import assignments_from_csv, phases_from_csv
from metrics.store.connection import open_store
from tests.cli.running import run_dataops
from tests.metrics.plan_factories import GOAL_YEAR, baseline_frame, freeze_baseline, seed_company

SAMPLES = Path(__file__).resolve().parents[2] / "data" / "samples"
GOAL = f"gmv_{GOAL_YEAR}"
PERIOD = ["--start", f"{GOAL_YEAR}-01-01", "--end", f"{GOAL_YEAR}-12-31"]
TACTICS = f"month,tactic,weight\n{GOAL_YEAR}-06,618,3\n{GOAL_YEAR}-11,double_11,5\n"
PHASES = f"""phase,name,start,end,main_task
H1,First half,{GOAL_YEAR}-01,{GOAL_YEAR}-06,Make 618 count
H2,Second half,{GOAL_YEAR}-07,{GOAL_YEAR}-12,Win Double 11
"""
ASSIGNMENTS = """phase,team,share,indicator
H1,growth,60%,gmv
H1,promo,40%,orders
H2,growth,50%,dau
H2,promo,50%,gmv
"""


@pytest.fixture
def store(tmp_path) -> Path:
    path = tmp_path / "store.duckdb"
    with open_store(path) as con:
        seed_company(con)
    return path


@pytest.fixture
def dataops(monkeypatch, capsys, store):
    """Run the console script in-process: returns (exit code, stdout, stderr)."""

    def run(*args: str) -> tuple[int, str, str]:
        return run_dataops(monkeypatch, capsys, *args, "--store", store)

    return run


def write(tmp_path: Path, name: str, text: str) -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def set_goal(dataops, *extra: str) -> tuple[int, str, str]:
    base = ["goal", "set", "--goal", GOAL, "--metric", "gmv", *PERIOD, "--target", "1.7e9"]
    return dataops(*base, *extra)


def show(dataops) -> dict:
    code, text, _ = dataops("goal", "show", "--goal", GOAL, "--format", "json")
    assert code == 0
    return json.loads(text)


def test_goal_set_saves_targets_that_add_up_and_show_lists_them(dataops):
    code, text, _ = set_goal(dataops, "--method", "even", "--by", "ana")
    assert code == 0 and "monthly targets" in text
    shown = show(dataops)
    assert sum(month["target"] for month in shown["months"]) == pytest.approx(1.7e9, rel=1e-12)
    assert (shown["updated_by"], shown["pending"], shown["changes"][0]["action"]) == (
        "ana",
        False,
        "created",
    )
    code, text, _ = dataops("goal", "list", "--format", "json")
    assert [goal["goal"] for goal in json.loads(text)] == [GOAL]


def test_goal_set_by_tactics_uses_the_frozen_baseline(dataops, store, tmp_path):
    with open_store(store) as con:
        freeze_baseline(
            con, GOAL, baseline_frame(dt.date(GOAL_YEAR, 1, 1), dt.date(GOAL_YEAR, 12, 31))
        )
    tactics = write(tmp_path, "tactics.csv", TACTICS)
    code, _, _ = set_goal(dataops, "--method", "tactic", "--tactics", tactics)
    assert code == 0
    months = show(dataops)["months"]
    assert sum(month["target"] for month in months) == pytest.approx(1.7e9, rel=1e-12)
    assert show(dataops)["tactics"][0]["tactic"] == "618"


@pytest.mark.parametrize(
    ("extra", "code", "message"),
    [
        (["--method", "even", "--metric", "nps"], 2, "value 'nps': is not a known metric"),
        (["--method", "tactic"], 1, "pass --tactics FILE"),
        (["--method", "even", "--tactics", "TACTICS"], 1, "tactic weights are only used by"),
        (["--method", "tactic", "--tactics", "BAD"], 2, "row 3, column 'weight', value 'lots'"),
        (["--method", "tactic", "--tactics", "MISSING"], 1, "no file at"),
        (["--method", "sideways"], 2, "Invalid value for '--method'"),
    ],
)
def test_goal_set_refuses_bad_input_with_a_message_not_a_traceback(
    dataops, tmp_path, extra, code, message
):
    files = {
        "TACTICS": write(tmp_path, "tactics.csv", TACTICS),
        "BAD": write(
            tmp_path, "bad.csv", f"month,tactic,weight\n{GOAL_YEAR}-13,x,1\n2025-02,y,lots\n"
        ),
        "MISSING": str(tmp_path / "nowhere.csv"),
    }
    result = set_goal(dataops, *(files.get(value, value) for value in extra))
    assert result[0] == code
    assert message in result[2] and "Traceback" not in result[2]
    assert dataops("goal", "list")[1].startswith("no goals yet")


def test_an_override_is_marked_and_the_other_months_re_spread(dataops):
    set_goal(dataops, "--method", "even")
    code, text, _ = dataops(
        "goal", "override", "--goal", GOAL, "--month", f"{GOAL_YEAR}-03", "--target", "2e8",
        "--note", "store opening", "--by", "ben",
    )  # fmt: skip
    assert code == 0 and "the other 11 month(s) were re-spread" in text
    months = show(dataops)["months"]
    march = months[2]
    assert (march["target"], march["overridden"], march["note"]) == (2e8, True, "store opening")
    assert sum(month["target"] for month in months) == pytest.approx(1.7e9, rel=1e-12)

    code, text, _ = set_goal(dataops, "--method", "even", "--target", "1.8e9")
    assert code == 0 and "kept 1 hand override(s)" in text
    code, _, err = dataops(
        "goal", "set", "--goal", GOAL, "--metric", "gmv", "--start", f"{GOAL_YEAR}-06-01",
        "--end", f"{GOAL_YEAR}-12-31", "--target", "1e9", "--method", "even",
    )  # fmt: skip
    assert code == 1 and "pass --clear-overrides" in err
    code, _, _ = dataops(
        "goal", "override", "--goal", GOAL, "--month", f"{GOAL_YEAR}-03", "--clear"
    )
    assert code == 0 and not any(month["overridden"] for month in show(dataops)["months"])


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--month", "March", "--target", "1"], "--month 'March' is not a month"),
        (["--month", f"{GOAL_YEAR}-03"], "give either --target X or --clear"),
        (["--month", f"{GOAL_YEAR - 1}-03", "--target", "1"], "is not a month of goal"),
        (["--month", f"{GOAL_YEAR}-03", "--target", "1e12"], "Fix: lower an override"),
    ],
)
def test_bad_overrides_are_refused(dataops, args, message):
    set_goal(dataops, "--method", "even")
    code, _, err = dataops("goal", "override", "--goal", GOAL, *args)
    assert code == 1 and message in err


def test_an_unknown_goal_names_the_goals_there_are(dataops):
    set_goal(dataops, "--method", "even")
    code, _, err = dataops("goal", "show", "--goal", "gmv_1999")
    assert code == 1 and f"there is no goal 'gmv_1999'. Fix: use one of {GOAL}" in err


def test_thresholds_are_shown_set_and_checked(dataops):
    assert "on track at >= 100% of pace, at risk at >= 90%" in dataops("goal", "thresholds")[1]
    code, text, _ = dataops("goal", "thresholds", "--on-track", "0.95", "--at-risk", "0.8")
    assert code == 0 and "on track at >= 95% of pace, at risk at >= 80%" in text
    code, _, err = dataops("goal", "thresholds", "--at-risk", "1.2")
    assert code == 2 and "at_risk (1.2) is above on_track (0.95)" in err


def test_phases_assignments_and_team_targets(dataops, store, tmp_path):
    set_goal(dataops, "--method", "even")
    code, text, _ = dataops(
        "phase", "set", "--goal", GOAL, "--file", write(tmp_path, "p.csv", PHASES)
    )
    assert code == 0 and "no team has a share of H1, H2 yet" in text
    code, text, _ = dataops(
        "phase", "assign", "--goal", GOAL, "--file", write(tmp_path, "a.csv", ASSIGNMENTS)
    )
    assert code == 0 and "no team has a share" not in text
    with open_store(store) as con:
        freeze_baseline(
            con, GOAL, baseline_frame(dt.date(GOAL_YEAR, 1, 1), dt.date(GOAL_YEAR, 12, 31))
        )
    code, text, _ = dataops("phase", "show", "--goal", GOAL, "--format", "json")
    shown = json.loads(text)
    assert [row["phase"] for row in shown["phases"]] == ["H1", "H2"]
    assert len(shown["team_targets"]) == 4
    h1 = [row for row in shown["team_targets"] if row["phase"] == "H1"]
    assert sum(row["uplift"] for row in h1) == pytest.approx(h1[0]["gap"], rel=1e-9)


@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        (
            "p.csv",
            PHASES.replace(f"{GOAL_YEAR}-07", f"{GOAL_YEAR}-08"),
            f"no phase covers {GOAL_YEAR}-07",
        ),
        ("a.csv", ASSIGNMENTS.replace("40%", "30%"), "phase H1's shares add up to 90.00%"),
    ],
)
def test_bad_plan_files_are_refused_whole(dataops, tmp_path, name, text, message):
    set_goal(dataops, "--method", "even")
    dataops("phase", "set", "--goal", GOAL, "--file", write(tmp_path, "good.csv", PHASES))
    command = "set" if name == "p.csv" else "assign"
    code, _, err = dataops("phase", command, "--goal", GOAL, "--file", write(tmp_path, name, text))
    assert code == 2 and message in err and "nothing was written" in err


def test_respread_moves_an_ended_phases_shortfall(dataops, store, tmp_path):
    set_goal(dataops, "--method", "even", "--target", "2e9")
    dataops("phase", "set", "--goal", GOAL, "--file", write(tmp_path, "p.csv", PHASES))
    first_half = pl.date_range(dt.date(GOAL_YEAR, 1, 1), dt.date(GOAL_YEAR, 6, 30), eager=True)
    actual = pl.DataFrame({"day": first_half}).with_columns(  # noqa: F841 - read by DuckDB
        metric=pl.lit("gmv"), team=pl.lit("growth"), value=pl.lit(4e6)
    )
    with open_store(store) as con:
        con.execute("insert into observations select * from actual")
    code, text, _ = dataops("phase", "respread", "--goal", GOAL, "--from-phase", "H1", "--by", "cy")
    assert code == 0 and "a shortfall of" in text
    with open_store(store, read_only=True) as con:
        targets = monthly_targets(con, GOAL)
    assert targets["target"].sum() == pytest.approx(2e9, rel=1e-12)
    assert targets.filter("overridden").height == 6
    code, _, err = dataops("phase", "respread", "--goal", GOAL, "--from-phase", "H2")
    assert code == 1 and "has not ended" in err


def test_checkins_are_added_and_listed(dataops):
    set_goal(dataops, "--method", "even")
    code, text, _ = dataops(
        "checkin", "add", "--team", "promo", "--goal", GOAL, "--status", "at_risk",
        "--problems", "618 stock arrives late", "--by", "dee",
    )  # fmt: skip
    assert code == 0 and "saved for promo (at_risk)" in text
    code, text, _ = dataops("checkin", "list", "--goal", GOAL, "--format", "json")
    [saved] = json.loads(text)
    assert (saved["author"], saved["problems"]) == ("dee", "618 stock arrives late")
    code, _, err = dataops("checkin", "add", "--team", "promo", "--status", "off_track")
    assert code == 2 and "is off_track without problems" in err


def test_the_sample_plan_files_fit_the_demo_company(con):
    """data/samples are the templates users copy: they must pass the same validation."""
    demo_teams = teams_frame(DemoConfig()).filter(pl.col("team") != "unassigned")  # noqa: F841
    demo_metrics = METRICS  # noqa: F841 - both read by DuckDB
    con.execute("insert into teams select * from demo_teams")
    con.execute("insert into metrics select * from demo_metrics")
    year = int((SAMPLES / "phases.csv").read_text().splitlines()[1].split(",")[2][:4])
    months = goal_months(dt.date(year, 1, 1), dt.date(year, 12, 31))
    assert parse_tactics(SAMPLES / "tactics.csv", "tactics.csv", months).height == 11
    phases = phases_from_csv(SAMPLES / "phases.csv", "phases.csv", months)
    con.execute(
        "insert into goals values ('g', 'g', 'gmv', $s, $e, 1, 'even', now(), 'a', now(), 'a')",
        {"s": dt.date(year, 1, 1), "e": dt.date(year, 12, 31)},
    )
    rows = phases.with_columns(goal=pl.lit("g"))  # noqa: F841 - read by DuckDB
    con.execute(
        "insert into phases select goal, phase, name, start_month, end_month, main_task from rows"
    )
    assignments = assignments_from_csv(con, "g", SAMPLES / "assignments.csv", "assignments.csv")
    assert assignments.group_by("phase").agg(pl.col("share").sum())["share"].to_list() == (
        pytest.approx([1.0] * 4)
    )


@pytest.fixture
def fake_runner(monkeypatch):
    """Stands in for forecasting.runner (Prophet fits are tested there): freezes the factory
    baseline over the goal's period the way the runner stores it, and records each call."""
    calls: list[tuple[str, bool]] = []

    def freeze_goal_baseline(store_path, goal, *, rebaseline=False, progress=None, **_):
        calls.append((goal, rebaseline))
        with open_store(store_path) as con:
            period = forecast_store.goal_period(con, goal)
            if rebaseline:
                runs = forecast_store.runs_in_use(con, "goal", goal)["run"].to_list()
                forecast_store.supersede_runs(con, runs, dt.datetime(GOAL_YEAR, 1, 2))
            freeze_baseline(con, goal, baseline_frame(period.start_day, period.end_day))
        progress(1, 1, "gmv / growth")
        return RunReport("goal", goal, "CN", (), 0.1)

    module = types.SimpleNamespace(freeze_goal_baseline=freeze_goal_baseline)
    monkeypatch.setitem(sys.modules, "forecasting.runner", module)
    return calls


def test_goal_set_freezes_a_missing_baseline_then_splits_the_goal(dataops, fake_runner):
    code, text, err = set_goal(dataops, "--method", "natural")
    assert code == 0 and fake_runner == [(GOAL, False)]
    assert "goal 'gmv_2025' baseline" in err and "pending" not in text
    assert sum(month["target"] for month in show(dataops)["months"]) == pytest.approx(1.7e9)
    assert [change["action"] for change in show(dataops)["changes"]] == ["created", "decomposed"]

    code, _, _ = set_goal(dataops, "--method", "natural", "--target", "1.8e9")
    assert code == 0 and len(fake_runner) == 1  # frozen already: nothing refitted
    longer = ["--start", f"{GOAL_YEAR - 1}-12-01", "--end", f"{GOAL_YEAR}-12-31"]
    base = ["goal", "set", "--goal", GOAL, "--metric", "gmv", "--target", "1.9e9"]
    code, _, err = dataops(*base, *longer, "--method", "natural")
    assert code == 1 and "does not cover every day of 2024-12" in err and "--rebaseline" in err
    code, _, _ = dataops(*base, *longer, "--method", "natural", "--rebaseline")
    assert code == 0 and fake_runner[-1] == (GOAL, True)
    assert show(dataops)["months"][0]["month"] == f"{GOAL_YEAR - 1}-12-01"
