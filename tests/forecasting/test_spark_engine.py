"""The Spark engine in local[2]: the same forecasts as the local pool, failures reported the same
way, and only changed series sent."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import polars as pl
import pytest

from cli import main
from forecasting.jobs import run_job
from forecasting.report import Outcome
from forecasting.runner import freeze_goal_baseline, refresh_rolling
from forecasting.spark_engine import SparkEngine, SparkUnavailable
from metrics.forecasts import reads as fs
from metrics.store.connection import open_store
from tests.forecasting.factories import GOAL, append_days, build_store, shared_build
from tests.forecasting.test_pool import short_job

pytest.importorskip("pyspark", reason="pyspark is not installed (pip install -e '.[test]')")
if shutil.which("java") is None:
    pytest.skip(
        "no Java runtime for Spark (Debian: apt-get install default-jre-headless)",
        allow_module_level=True,
    )

pytestmark = pytest.mark.slow
SPARK = SparkEngine("local[2]")
CONNECT_START_SECONDS = 300  # a JVM and a Spark session on a busy two-core machine


@pytest.fixture(scope="module")
def connect_master(tmp_path_factory):
    """A real Spark Connect server (pyspark's own jars, local[2]) on a free port: its sc:// URL."""
    import pyspark

    home = Path(pyspark.__file__).parent
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    log = tmp_path_factory.mktemp("connect") / "server.log"
    env = {**os.environ, "SPARK_HOME": str(home), "PYSPARK_PYTHON": sys.executable}
    command = [
        str(home / "bin" / "spark-submit"),
        "--class", "org.apache.spark.sql.connect.service.SparkConnectServer",
        "--master", "local[2]",
        "--conf", f"spark.connect.grpc.binding.port={port}",
        "--conf", "spark.ui.enabled=false",
        "spark-internal",
    ]  # fmt: skip
    with log.open("w") as out:
        server = subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        _wait_for_port(port, server, log)
        yield f"sc://127.0.0.1:{port}"
    finally:
        server.terminate()
        server.wait(timeout=60)


def _wait_for_port(port: int, server: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + CONNECT_START_SECONDS
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"the Spark Connect server stopped: {log.read_text()[-2000:]}")
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(1)
    pytest.fail(f"no Spark Connect server on port {port} after {CONNECT_START_SECONDS} s")


@pytest.mark.parametrize("where", ["local[2]", "connect"])
def test_each_series_comes_back_in_job_order_with_its_own_failure(where, request):
    """Series that cannot be fitted fail fast inside the worker: the round trip without Prophet."""
    master = request.getfixturevalue("connect_master") if where == "connect" else where
    jobs = [(short_job(team), f"hash-{team}") for team in ("c", "a", "b")]
    calls = []
    results = SparkEngine(master).run_jobs(jobs, run_job, progress=lambda *a: calls.append(a))
    assert [(r.team, r.input_hash) for r in results] == [("c", "hash-c"), ("a", "hash-a"),
                                                          ("b", "hash-b")]  # fmt: skip
    assert all(r.error == "ValueError: only 5 observed days; a fit needs at least 14"
               for r in results)  # fmt: skip
    assert sorted(done for done, _, _ in calls) == [1, 2, 3]


def _local_then_spark(path):
    """The same small store frozen by the local pool and by Spark: (local path, spark path,
    spark report, progress calls)."""
    build_store(path, newcomer=True)
    local, spark = (path.with_name(f"{path.stem}_{name}.duckdb") for name in ("local", "spark"))
    shutil.copyfile(path, local)
    shutil.copyfile(path, spark)
    freeze_goal_baseline(local, GOAL, workers=2)
    calls = []
    report = freeze_goal_baseline(
        spark, GOAL, engine=SPARK, progress=lambda *args: calls.append(args)
    )
    return local, spark, report, calls


@pytest.fixture(scope="session")
def both(tmp_path_factory):
    _, built = shared_build(tmp_path_factory, "spark_vs_local", _local_then_spark)
    return built


def totals(path) -> pl.DataFrame:
    with open_store(path, read_only=True) as con:
        baseline = fs.goal_baseline(con, GOAL)
    return baseline.group_by("metric", "team").agg(pl.col("yhat").sum().alias("total"))


def test_spark_forecasts_equal_the_local_pools_within_one_percent_per_series(both):
    local, spark, _, _ = both
    joined = totals(local).join(totals(spark), on=("metric", "team"), suffix="_spark")
    assert sorted(joined["team"]) == ["alpha", "beta", "unassigned"]
    gaps = joined.select("team", gap=(pl.col("total_spark") / pl.col("total") - 1).abs()).to_dicts()
    assert all(row["gap"] <= 0.01 for row in gaps), gaps


def test_a_failing_series_is_reported_and_the_others_are_written(both):
    _, _, report, calls = both
    assert [item.label for item in report.failed] == ["gmv / newbie"]
    assert "observed days" in report.failed[0].reason
    assert {item.label for item in report.fitted} == {
        "gmv / alpha",
        "gmv / beta",
        "gmv / unassigned",
    }
    assert sorted(done for done, _, _ in calls) == [1, 2, 3, 4]


def test_only_series_whose_inputs_changed_are_sent_to_spark(both, tmp_path):
    _, spark, _, _ = both
    path = tmp_path / "store.duckdb"
    shutil.copyfile(spark, path)
    first = refresh_rolling(path, workers=2)  # the local pool fills the cache
    append_days(path, "alpha", 3)
    again = refresh_rolling(path, engine=SPARK)
    assert len(first.fitted) == 4
    assert [item.label for item in again.fitted] == ["gmv / alpha"]
    assert all(item.outcome is Outcome.SKIPPED for item in again.outcomes if item.team != "alpha")


def test_a_master_spark_cannot_reach_is_a_plain_error_and_writes_nothing(both, tmp_path):
    _, spark, _, _ = both
    path = tmp_path / "store.duckdb"
    shutil.copyfile(spark, path)
    before = runs(path)
    with pytest.raises(SparkUnavailable, match="not-a-master"):
        refresh_rolling(path, engine=SparkEngine("not-a-master"))
    assert runs(path) == before


def test_the_command_line_says_plainly_when_spark_cannot_start(both, tmp_path, monkeypatch, capsys):
    _, spark, _, _ = both
    path = tmp_path / "store.duckdb"
    shutil.copyfile(spark, path)
    args = ["dataops", "forecast", "--store", str(path), "--engine", "spark"]
    monkeypatch.setenv("DATAOPS_SPARK_MASTER", "not-a-master")
    monkeypatch.setattr(sys, "argv", args)
    with pytest.raises(SystemExit) as done:
        main.run()
    err = capsys.readouterr().err
    assert done.value.code != 0 and "could not start Spark at not-a-master" in err
    assert "Fix:" in err and "Traceback" not in err


def runs(path) -> int:
    with open_store(path, read_only=True) as con:
        return con.execute("select count(*) from forecast_runs").fetchall()[0][0]
