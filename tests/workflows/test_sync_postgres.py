"""Syncing from a real PostgreSQL: first, incremental, corrections, refusals, outages, secrets."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from metrics.sources.definitions import Source, SourceKind, Target, add_source
from metrics.sources.runs import Outcome, sync_runs
from metrics.store.connection import open_store
from tests.workflows.sync_factories import (
    START,
    catalogue_store,
    create_table,
    daily_rows,
    store_observations,
)
from workflows.sync import sync_sources

PASSWORD_VAR = "WAREHOUSE_PASSWORD"


@pytest.fixture
def warehouse(postgres, tmp_path, request):
    """A store with source `wh` reading table `obs_<test>` (20 days, 2 metrics, 2 teams)."""
    table = "obs_" + request.node.name.split("[")[0].removeprefix("test_")[:40]
    rows = daily_rows(20)
    create_table(postgres, table, rows)
    store = catalogue_store(tmp_path / "store.duckdb")
    source = Source(
        "wh",
        SourceKind.POSTGRES,
        Target.OBSERVATIONS,
        postgres.uri(password="${" + PASSWORD_VAR + "}"),
        f"select date, metric, team, value from {table}",
    )
    with open_store(store) as con:
        add_source(con, source, "test")
    env = {PASSWORD_VAR: postgres.password}
    return store, table, rows, env


def last_run(store) -> dict:
    with open_store(store, read_only=True) as con:
        return sync_runs(con).row(0, named=True)


def test_first_sync_brings_every_row_and_records_the_run(warehouse):
    store, _, rows, env = warehouse
    outcome = sync_sources(store, env=env)
    assert [r.run.outcome for r in outcome.results] == [Outcome.OK]
    stored = store_observations(store)
    assert stored.height == rows.height == 80
    assert stored["value"].sum() == rows["value"].sum()
    run = last_run(store)
    assert (run["rows_read"], run["inserted"], run["replaced"]) == (80, 80, 0)
    assert (run["first_day"], run["last_day"]) == (START, START + dt.timedelta(days=19))
    assert set(outcome.changed_series) == {
        (m, t) for m in ("gmv", "orders") for t in ("promotions", "user_ops")
    }


def test_a_second_sync_reads_the_restatement_window_and_adds_only_what_is_new(warehouse, postgres):
    store, table, _, env = warehouse
    sync_sources(store, env=env)
    new_day = START + dt.timedelta(days=20)
    postgres.execute(f"insert into {table} values ('{new_day}', 'gmv', 'promotions', 5)")
    outcome = sync_sources(store, env=env)
    run = last_run(store)
    # the last synced day (day 20) and the 7 days before it, plus the new row
    assert run["rows_read"] == 8 * 4 + 1
    assert (run["inserted"], run["replaced"]) == (1, 0)
    assert run["first_day"] == START + dt.timedelta(days=12)
    assert outcome.changed_series == (("gmv", "promotions"),)
    assert store_observations(store).height == 81


def test_a_corrected_value_inside_the_window_replaces_the_stored_one(warehouse, postgres):
    store, table, _, env = warehouse
    sync_sources(store, env=env)
    corrected = START + dt.timedelta(days=15)
    postgres.execute(
        f"update {table} set value = 4242 where date = '{corrected}' and metric = 'orders'"
        " and team = 'user_ops'"
    )
    outcome = sync_sources(store, env=env)
    run = last_run(store)
    assert (run["inserted"], run["replaced"]) == (0, 1)
    stored = store_observations(store).filter(
        pl.col("day") == corrected, pl.col("team") == "user_ops"
    )
    assert stored.filter(pl.col("metric") == "orders")["value"].item() == 4242
    assert outcome.changed_series == (("orders", "user_ops"),)


def test_since_re_reads_from_the_day_given(warehouse):
    store, _, _, env = warehouse
    sync_sources(store, env=env)
    sync_sources(store, env=env, since=START + dt.timedelta(days=18))
    assert last_run(store)["rows_read"] == 8


def test_a_batch_with_an_unknown_team_is_refused_whole(warehouse, postgres):
    store, table, _, env = warehouse
    sync_sources(store, env=env)
    before = store_observations(store)
    day = START + dt.timedelta(days=20)
    postgres.execute(
        f"update {table} set value = 1 where date = '{START + dt.timedelta(days=19)}'",
        f"insert into {table} values ('{day}', 'gmv', 'promotions', 5),"
        f" ('{day}', 'gmv', 'nobody', 5)",
    )
    outcome = sync_sources(store, env=env)
    (result,) = outcome.results
    assert result.run.outcome == Outcome.REFUSED
    assert "'nobody'" in result.run.message and "not a known team" in result.run.message
    assert "nothing was written" in result.run.message
    assert store_observations(store).equals(before)
    assert last_run(store)["outcome"] == "refused"


def test_a_source_that_is_down_is_reported_and_the_others_still_sync(warehouse, postgres, tmp_path):
    store, _, _, env = warehouse
    down = Source(
        "old_replica",
        SourceKind.POSTGRES,
        Target.OBSERVATIONS,
        f"postgresql://{postgres.user}:${{{PASSWORD_VAR}}}@127.0.0.1:1/postgres",
    )
    with open_store(store) as con:
        add_source(con, down, "test")
    outcome = sync_sources(store, env=env)
    by_name = {r.source: r.run for r in outcome.results}
    assert by_name["old_replica"].outcome == Outcome.FAILED
    assert "cannot reach the database" in by_name["old_replica"].message
    assert by_name["wh"].outcome == Outcome.OK
    assert store_observations(store).height == 80


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("select date, metric, team, value from no_such_table", "the query failed"),
        ("select date, metric, team from {table}", "no column 'value'"),
    ],
)
def test_a_bad_query_is_reported_with_its_reason(warehouse, query, expected):
    store, table, _, env = warehouse
    with open_store(store) as con:
        con.execute("update sources set query = $1", [query.format(table=table)])
    (result,) = sync_sources(store, env=env).results
    assert result.run.outcome in (Outcome.FAILED, Outcome.REFUSED)
    assert expected in result.run.message
    assert store_observations(store).is_empty()


def test_the_password_never_reaches_the_store_file(warehouse, postgres):
    store, _, _, env = warehouse
    no_database = postgres.uri(password="${" + PASSWORD_VAR + "}") + "_nodb"
    with open_store(store) as con:  # a failing source too: its message must not carry it
        add_source(con, Source("bad", SourceKind.POSTGRES, Target.OBSERVATIONS, no_database), "t")
    outcome = sync_sources(store, env=env)
    assert {r.source: r.ok for r in outcome.results} == {"bad": False, "wh": True}
    secret = postgres.password.encode()
    for path in (store, store.with_name(store.name + ".wal")):
        if path.exists():
            assert secret not in path.read_bytes()
    messages = " ".join(r.run.message for r in outcome.results)
    assert postgres.password not in messages


def test_a_missing_environment_variable_is_named(warehouse):
    store, _, _, _ = warehouse
    (result,) = sync_sources(store, env={}).results
    assert result.run.outcome == Outcome.FAILED
    assert PASSWORD_VAR in result.run.message and "Fix: export" in result.run.message
