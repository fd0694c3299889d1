"""`dataops source`, `sync` and `refresh` as a user runs them: messages, exit codes, the lock."""

from __future__ import annotations

import pytest

from tests.cli.running import run_dataops
from tests.workflows.sync_factories import catalogue_store, create_table, daily_rows
from workflows.refresh import refresh_lock


@pytest.fixture
def dataops(monkeypatch, capsys):
    """Run `dataops ARGS` in-process; returns (exit code, stdout, stderr)."""

    def run(*args, env=None) -> tuple[int, str, str]:
        for name, value in (env or {}).items():
            monkeypatch.setenv(name, value)
        code, out, err = run_dataops(monkeypatch, capsys, *args)
        assert "Traceback" not in out + err
        return code, out, err

    return run


@pytest.fixture
def store(tmp_path):
    return catalogue_store(tmp_path / "store.duckdb")


def test_add_refuses_a_literal_password_and_never_prints_it(dataops, store):
    code, out, err = dataops("source", "add", "wh", "--kind", "postgres", "--table",
                             "observations", "--uri", "postgresql://ana:hunter2@db/dw",
                             "--store", store)  # fmt: skip
    assert code == 2
    assert "hunter2" not in out + err and "${PGPASSWORD}" in err


def test_add_list_remove(dataops, store, tmp_path):
    uri = "postgresql://ana:${WH_PW}@db/dw?sslmode=require"
    code, out, _ = dataops("source", "add", "wh", "--kind", "postgres", "--table",
                           "observations", "--uri", uri, "--store", store)  # fmt: skip
    assert code == 0 and "dataops sync wh" in out
    code, out, _ = dataops("source", "list", "--store", store)
    assert code == 0 and "wh: postgres -> observations, uri " + uri in out
    assert dataops("source", "remove", "wh", "--store", store)[0] == 0
    code, _, err = dataops("source", "remove", "wh", "--store", store)
    assert code == 2 and "no source named 'wh'" in err


def test_sync_reports_each_source_and_exits_non_zero_when_one_fails(
    dataops, store, postgres, tmp_path
):
    create_table(postgres, "cli_obs", daily_rows(5))
    uri = postgres.uri(password="${WH_PW}")
    dataops("source", "add", "wh", "--kind", "postgres", "--table", "observations", "--uri", uri,
            "--query", "select * from cli_obs", "--store", store)  # fmt: skip
    dataops("source", "add", "lake", "--kind", "parquet", "--table", "observations",
            "--uri", tmp_path / "nowhere", "--store", store)  # fmt: skip
    code, out, err = dataops("sync", "--no-forecast", "--store", store,
                             env={"WH_PW": postgres.password})  # fmt: skip
    assert code == 1
    assert "wh: read 20 rows, inserted 20, replaced 0, days 2026-11-01 to 2026-11-05" in out
    assert "lake: failed" in err and "no parquet files match" in err
    assert postgres.password not in out + err
    code, out, _ = dataops("sync", "wh", "--no-forecast", "--store", store,
                           env={"WH_PW": postgres.password})  # fmt: skip
    assert code == 0 and "inserted 0, replaced 0" in out


def test_a_second_refresh_says_one_is_running_and_exits_non_zero(dataops, store):
    with refresh_lock(store):
        code, out, err = dataops("refresh", "--no-forecast", "--store", store)
    assert code == 75
    assert "already running (pid" in err and "did nothing" in err
    code, out, _ = dataops("refresh", "--no-forecast", "--store", store)
    assert code == 0 and "no sources to sync" in out


def test_expect_sets_a_metric_lag(dataops, store):
    assert dataops("source", "expect", "gmv", "--lag-days", "3", "--store", store)[0] == 0
    code, _, err = dataops("source", "expect", "nope", "--lag-days", "3", "--store", store)
    assert code == 1 and "no metric 'nope'" in err
