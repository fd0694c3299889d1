"""`dataops contribution`: the report a user gets, its formats, and its refusals."""

from __future__ import annotations

import csv
import io
import json

import pytest

from metrics.forecasts.reads import goal_baseline
from metrics.store.connection import open_store
from tests.cli.running import run_dataops
from tests.metrics import contribution_store
from workflows import goals as goal_workflow

FORECAST_TABLES = ("forecast_runs", "forecasts", "calibrations", "calibration_draws")


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    path = tmp_path_factory.mktemp("contribution") / "store.duckdb"
    with open_store(path) as con:
        contribution_store.build(con, "gmv")
    return path


def dataops(capsysbinary, monkeypatch, *args: str) -> tuple[int, bytes, str]:
    """Run the console script in-process: (exit code, stdout bytes, stderr text)."""
    code, out, err = run_dataops(monkeypatch, capsysbinary, *args)
    return code, out, err.decode()


def test_json_has_the_goal_landing_teams_departments_and_flags(store, capsysbinary, monkeypatch):
    code, out, _ = dataops(
        capsysbinary, monkeypatch, "contribution", "--store", str(store), "--goal", "gmv_goal"
    )
    assert code == 0
    report = json.loads(out)
    assert {"goal", "metric", "target", "natural", "actual_to_date", "as_of", "gap", "landing",
            "teams", "departments", "flags"} <= report.keys()  # fmt: skip
    assert report["as_of"] == contribution_store.AS_OF.isoformat()  # the last day with data
    assert {"value", "lower", "upper", "probability"} <= report["landing"].keys()
    team_keys = {"team", "department", "actual", "natural", "uplift", "uplift_lower",
                 "uplift_upper", "share_of_gap", "target", "status"}  # fmt: skip
    assert all(team_keys <= row.keys() for row in report["teams"])
    uplifts = sum(row["uplift"] for row in report["teams"])
    assert uplifts == pytest.approx(report["uplift_to_date"]["value"], rel=1e-9)
    kinds = {(flag["kind"], flag["team"], flag["other_team"]) for flag in report["flags"]}
    assert kinds == {("pull_forward", "promo", None), ("cannibalisation", "promo", "merch")}


def test_as_of_measures_up_to_that_day(store, capsysbinary, monkeypatch):
    args = ("contribution", "--store", str(store), "--goal", "gmv_goal", "--as-of", "2025-04-30")
    code, out, _ = dataops(capsysbinary, monkeypatch, *args)
    report = json.loads(out)
    assert code == 0 and report["as_of"] == "2025-04-30"
    assert {flag["kind"] for flag in report["flags"]} == {"pull_forward"}  # May's is later


def test_csv_has_a_row_per_team_department_and_the_company(store, capsysbinary, monkeypatch):
    args = ("contribution", "--store", str(store), "--goal", "gmv_goal", "--format", "csv")
    code, out, _ = dataops(capsysbinary, monkeypatch, *args)
    rows = list(csv.DictReader(io.StringIO(out.decode("utf-8-sig"))))
    assert code == 0
    levels = [row["level"] for row in rows]
    assert levels.count("team") == 5 and levels.count("company") == 1
    assert levels == sorted(levels, key=["team", "department", "company"].index)


def test_out_writes_the_file_instead_of_stdout(store, tmp_path, capsysbinary, monkeypatch):
    target = tmp_path / "report.json"
    args = ("contribution", "--store", str(store), "--goal", "gmv_goal", "--out", str(target))
    code, out, err = dataops(capsysbinary, monkeypatch, *args)
    assert code == 0 and out == b"" and str(target) in err
    assert json.loads(target.read_text(encoding="utf-8"))["goal"] == "gmv_goal"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--goal", "nope"), "there is no goal 'nope'"),
        (("--goal", "gmv_goal", "--as-of", "2024-06-30"), "outside goal 'gmv_goal'"),
        (("--goal", "gmv_goal", "--format", "xml"), "xml"),
    ],
)
def test_bad_input_exits_non_zero_with_a_fix(store, capsysbinary, monkeypatch, args, message):
    code, out, err = dataops(
        capsysbinary, monkeypatch, "contribution", "--store", str(store), *args
    )
    assert code != 0 and out == b""
    assert message in err and "Traceback" not in err


def test_a_goal_without_baseline_gets_one_frozen_first(tmp_path, capsysbinary, monkeypatch):
    path = tmp_path / "store.duckdb"
    with open_store(path) as con:
        contribution_store.build(con, "gmv")
        for table in FORECAST_TABLES:  # set the baseline aside, as if never fitted
            con.execute(f"create table kept_{table} as select * from {table}; delete from {table}")
        assert goal_baseline(con, "gmv_goal").is_empty()
    fitted = []

    def fake_freeze(store, goal, **options):  # stands in for the Prophet fits
        fitted.append(goal)
        with open_store(store) as con:
            for table in FORECAST_TABLES:
                con.execute(f"insert into {table} select * from kept_{table}")

    monkeypatch.setattr(goal_workflow, "freeze_baseline", fake_freeze)
    code, out, _ = dataops(
        capsysbinary, monkeypatch, "contribution", "--store", str(path), "--goal", "gmv_goal"
    )
    assert code == 0 and fitted == ["gmv_goal"]
    assert json.loads(out)["teams"]
    code, _, _ = dataops(
        capsysbinary, monkeypatch, "contribution", "--store", str(path), "--goal", "gmv_goal"
    )
    assert fitted == ["gmv_goal"]  # frozen now: not fitted again


def test_on_the_demo_company_the_review_carries_the_teams_problems(
    demo_goal_store, capsysbinary, monkeypatch
):
    args = ("contribution", "--store", str(demo_goal_store), "--goal", "gmv_2025")
    code, out, _ = dataops(capsysbinary, monkeypatch, *args)
    report = json.loads(out)
    assert code == 0
    problems = {row["team"]: row["problems"] for row in report["teams"]}
    assert any("pulled forward" in text for text in problems["promotions"])
    company = next(row for row in report["review"] if row["level"] == "company")
    assert len(company["problems"]) == sum(len(texts) for texts in problems.values())
