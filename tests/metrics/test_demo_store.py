"""The demo company in a store: written in one transaction, built atomically by `dataops demo`."""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest

from metrics.demo import DemoConfig, StoreNotEmpty, generate, write_demo
from metrics.store import migrations
from metrics.store.connection import open_store
from workflows import demo as demo_command
from workflows.demo import StoreExists, build_demo_store

ROOT = Path(__file__).resolve().parents[2]
SMALL = DemoConfig(seed=5, teams=2, years=1, end=dt.date(2025, 6, 30))
TABLE_FRAMES = {
    "teams": "teams",
    "metrics": "metrics",
    "observations": "observations",
    "initiatives": "initiatives",
    "demo_truth_natural": "truth_natural",
    "demo_truth_effects": "truth_effects",
    "demo_truth_cases": "truth_cases",
}


def count(con, table: str) -> int:
    return con.execute(f"select count(*) from {table}").fetchone()[0]


def dataops(*args: str) -> subprocess.CompletedProcess:
    env = {key: value for key, value in os.environ.items() if key != "DATAOPS_STORE"}
    return subprocess.run(
        [sys.executable, "-m", "cli.main", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize(("table", "frame"), TABLE_FRAMES.items())
def test_write_demo_stores_every_frame_whole(con, table, frame):
    data = generate(SMALL)
    write_demo(con, data)
    assert count(con, table) == getattr(data, frame).height


def test_write_demo_refuses_a_store_that_already_has_data(con):
    data = generate(SMALL)
    write_demo(con, data)
    with pytest.raises(StoreNotEmpty, match="Fix:"):
        write_demo(con, data)
    assert count(con, "observations") == data.observations.height


def test_a_failing_write_leaves_the_store_as_it_was(con):
    data = generate(SMALL)
    broken = dataclasses.replace(data, truth_cases=pl.concat([data.truth_cases] * 2))
    with pytest.raises(Exception, match=r"(?i)constraint|duplicate"):
        write_demo(con, broken)
    assert [count(con, table) for table in TABLE_FRAMES] == [1, 0, 0, 0, 0, 0, 0]


def test_the_demo_store_is_complete_and_consistent_in_sql(demo_store):
    with open_store(demo_store, read_only=True) as con:
        assert migrations.current_version(con) == migrations.latest_version()
        # Company = sum over teams: every stored metric has every team on every day, once.
        gaps = con.execute(
            """
            select count(*) from (
                select day, metric, count(*) as teams, count(distinct team) as distinct_teams
                from observations group by day, metric
            ) where teams <> (select count(*) from teams) or distinct_teams <> teams
            """
        ).fetchone()[0]
        ratio_rows = con.execute(
            "select count(*) from observations join metrics using (metric) where kind = 'ratio'"
        ).fetchone()[0]
        mismatched = con.execute(
            """
            select count(*) from observations o
            join demo_truth_natural n using (day, metric, team)
            left join (
                select day, metric, team, sum(effect) as effect
                from demo_truth_effects group by all
            ) e using (day, metric, team)
            where o.value <> n.value + coalesce(e.effect, 0)
            """
        ).fetchone()[0]
        kinds = {row[0] for row in con.execute("select distinct kind from metrics").fetchall()}
        assert (gaps, ratio_rows, mismatched) == (0, 0, 0)
        assert kinds == {"flow", "level", "ratio"}


def test_build_reports_what_it_built_and_leaves_no_scratch_file(tmp_path):
    path = tmp_path / "demo.duckdb"
    steps: list[str] = []
    summary = build_demo_store(path, SMALL, progress=steps.append)
    with open_store(path, read_only=True) as con:
        stored = (count(con, "observations"), count(con, "initiatives"), count(con, "metrics"))
        assert count(con, "teams") == summary.teams + 1  # + unassigned
    assert stored == (summary.observations, summary.initiatives, summary.metrics)
    assert summary.days == SMALL.days
    assert summary.size_bytes == path.stat().st_size
    assert len(steps) >= 2
    assert sorted(p.name for p in tmp_path.iterdir()) == ["demo.duckdb"]


def test_build_refuses_to_replace_a_store_unless_forced(tmp_path):
    path = tmp_path / "demo.duckdb"
    build_demo_store(path, SMALL)
    before = path.read_bytes()
    with pytest.raises(StoreExists, match="replace it with the demo company"):
        build_demo_store(path, dataclasses.replace(SMALL, seed=6))
    assert path.read_bytes() == before
    build_demo_store(path, dataclasses.replace(SMALL, seed=6), force=True)
    assert path.read_bytes() != before


def test_an_interrupted_build_leaves_nothing_behind(tmp_path, monkeypatch):
    def interrupted(con, data):
        raise KeyboardInterrupt

    monkeypatch.setattr(demo_command, "write_demo", interrupted)
    with pytest.raises(KeyboardInterrupt):
        build_demo_store(tmp_path / "demo.duckdb", SMALL)
    assert list(tmp_path.iterdir()) == []


def test_an_interrupted_rebuild_keeps_the_old_store(tmp_path, monkeypatch):
    path = tmp_path / "demo.duckdb"
    build_demo_store(path, SMALL)
    before = path.read_bytes()
    monkeypatch.setattr(demo_command, "write_demo", lambda con, data: 1 / 0)
    with pytest.raises(ZeroDivisionError):
        build_demo_store(path, SMALL, force=True)
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["demo.duckdb"]


def test_the_command_builds_then_refuses_to_overwrite(tmp_path):
    store = tmp_path / "demo.duckdb"
    args = ("demo", "--store", str(store), "--teams", "2", "--years", "1", "--end", "2025-06-30")
    built = dataops(*args, "--no-forecast")  # fitting the goal's baseline is tested elsewhere
    assert built.returncode == 0, built.stderr
    for word in ("teams", "metrics", "days", "observations", "initiatives", "size"):
        assert word in built.stdout
    before = store.read_bytes()
    refused = dataops(*args)
    assert refused.returncode == 1
    assert "already exists" in refused.stderr
    assert "--force" in refused.stderr
    assert "Traceback" not in refused.stderr
    assert store.read_bytes() == before


@pytest.mark.parametrize(
    ("option", "value", "says"),
    [
        ("--end", "30/06/2025", "YYYY-MM-DD"),
        ("--teams", "1", "pass --teams 5"),
        ("--years", "0", "pass --years 3"),
    ],
)
def test_the_command_refuses_bad_options_with_the_fix(tmp_path, option, value, says):
    store = tmp_path / "demo.duckdb"
    result = dataops("demo", "--store", str(store), option, value)
    assert result.returncode == 1
    assert says in result.stderr
    assert "Fix:" in result.stderr
    assert "Traceback" not in result.stderr
    assert not store.exists()
