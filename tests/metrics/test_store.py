"""The store file: migrations in order, one unit of work at a time, clear messages when busy."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import threading

import duckdb
import pytest

from metrics.store import migrations
from metrics.store.connection import open_store, store_version, transaction
from metrics.store.errors import DataopsError, StoreBusy, StoreMissing


def table_names(con) -> set[str]:
    return {
        row[0] for row in con.execute("select table_name from information_schema.tables").fetchall()
    }


def test_a_new_store_is_at_the_latest_schema_with_every_table(store_path):
    with open_store(store_path, read_only=True) as con:
        assert migrations.current_version(con) == migrations.latest_version()
        assert {
            "teams",
            "metrics",
            "observations",
            "initiatives",
            "goals",
            "goal_targets",
            "tactics",
            "phases",
            "assignments",
            "checkins",
            "forecast_runs",
            "forecasts",
            "market_calendar",
            "settings",
        } <= table_names(con)


def test_an_old_store_is_migrated_on_open_and_keeps_its_data(tmp_path):
    path = tmp_path / "old.duckdb"
    con = duckdb.connect(str(path))
    migrations.migrate(con, up_to=1)
    con.execute("insert into teams values ('growth_team', 'Growth', 'growth')")
    con.execute("insert into metrics values ('gmv', 'GMV', 'flow', 'CNY', null, null, true)")
    con.execute("insert into observations values ('2026-01-01', 'gmv', 'growth_team', 12.5)")
    con.close()

    with open_store(path) as con:
        assert migrations.current_version(con) == migrations.latest_version()
        applied = con.execute("select version from schema_version order by version").fetchall()
        assert [row[0] for row in applied] == list(range(1, migrations.latest_version() + 1))
        assert con.execute("select value from observations").fetchall() == [(12.5,)]
        assert "goals" in table_names(con)
        assert con.execute("select count(*) from market_calendar").fetchall()[0][0] > 0


def test_read_only_open_refuses_an_old_store_and_says_how_to_fix_it(tmp_path):
    path = tmp_path / "old.duckdb"
    con = duckdb.connect(str(path))
    migrations.migrate(con, up_to=1)
    con.close()
    with (
        pytest.raises(DataopsError, match="open the store once for writing"),
        open_store(path, read_only=True),
    ):
        pass


def test_a_store_newer_than_the_program_is_refused(store_path):
    with open_store(store_path) as con:
        con.execute("insert into schema_version values (999, 'future', current_timestamp)")
    with pytest.raises(DataopsError, match="newer than this program"), open_store(store_path):
        pass


@pytest.mark.parametrize("read_only", [True, False])
def test_a_missing_store_is_refused_when_it_may_not_be_created(tmp_path, read_only):
    with (
        pytest.raises(StoreMissing, match="build the demo company"),
        open_store(tmp_path / "absent.duckdb", read_only=read_only, create=False),
    ):
        pass
    assert not (tmp_path / "absent.duckdb").exists()


def test_a_failed_transaction_writes_nothing(store_path):
    with open_store(store_path) as con:
        with pytest.raises(RuntimeError), transaction(con):
            con.execute("insert into teams values ('t1', 'Team 1', 'd')")
            raise RuntimeError("boom")
        assert con.execute("select count(*) from teams where team = 't1'").fetchall() == [(0,)]


def test_writes_change_the_store_version_used_as_cache_key(store_path):
    before = store_version(store_path)
    with open_store(store_path) as con:
        con.execute("insert into teams values ('t1', 'Team 1', 'd')")
    assert store_version(store_path) != before


def test_concurrent_writers_in_one_process_queue_and_none_is_lost(store_path):
    errors = []

    def save(index: int) -> None:
        try:
            with open_store(store_path) as con, transaction(con):
                con.execute("insert into teams values ($team, 'T', 'd')", {"team": f"team_{index}"})
        except Exception as error:  # collected: the assertion below shows them
            errors.append(error)

    threads = [threading.Thread(target=save, args=(i,)) for i in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with open_store(store_path, read_only=True) as con:
        assert con.execute("select count(*) from teams where team like 'team_%'").fetchall() == [
            (12,)
        ]


def test_a_store_held_by_another_process_is_reported_busy_with_that_process(store_path):
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            textwrap.dedent(
                f"""
                import sys, time, duckdb
                con = duckdb.connect({str(store_path)!r})
                print("holding", flush=True)
                time.sleep(30)
                """
            ),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "holding"
        with pytest.raises(StoreBusy) as busy, open_store(store_path, timeout=0.3):
            pass
        message = str(busy.value)
        assert str(holder.pid) in message
        assert "in use" in message and "Fix:" in message
    finally:
        holder.kill()
        holder.wait()
    with open_store(store_path, timeout=5) as con:  # free again once the holder is gone
        assert con.execute("select 1").fetchall() == [(1,)]


# Keyed (day, metric, team) these rows took 73 bytes each in the file; keyed (metric, team, day) 23.
@pytest.mark.parametrize("table", ["observations", "demo_truth_natural"])
def test_a_series_day_key_costs_a_few_bytes_a_row_not_a_copy_of_the_names(tmp_path, table):
    path = tmp_path / "keys.duckdb"
    with open_store(path):
        pass
    empty = path.stat().st_size
    with open_store(path) as con:
        keys = con.execute(
            "select constraint_column_names from duckdb_constraints()"
            " where table_name = $t and constraint_type = 'PRIMARY KEY'",
            {"t": table},
        ).fetchall()
        assert keys == [(["metric", "team", "day"],)]
        con.execute(
            f"insert into {table} select date '2020-01-01' + d::integer, 'metric_' || m,"
            " 'a_team_with_a_long_name_' || t, random() from range(3) m(m), range(50) t(t),"
            " range(1000) d(d)"
        )
        con.execute("checkpoint")
    rows = 3 * 50 * 1000
    assert (path.stat().st_size - empty) / rows < 40
