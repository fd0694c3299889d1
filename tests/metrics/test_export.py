"""Export: spreadsheet-safe text, exact numbers and dates, and only the tables users should see."""

from __future__ import annotations

import shutil
from datetime import date, datetime
from pathlib import Path

import numpy as np
import polars as pl
import pytest

from metrics.plan.months import override_month
from metrics.store.connection import open_store
from metrics.store.errors import DataopsError
from metrics.store.export import (
    EXPORTABLE_TABLES,
    read_neutralised_csv,
    read_table,
    to_csv_bytes,
    write_csv,
)

RISKY = ["-5", "=cmd()", "+1", "@x", "\tx", "\rx", '=HYPERLINK("http://x")', "'already"]
PLAIN = ["plain", "", None, "a,b", 'say "hi"', "two\nlines", "华东", "5-", "a=b"]


def raw_cells(data: bytes) -> list[str | None]:
    """The first column exactly as a spreadsheet would see it (no un-neutralising)."""
    return pl.read_csv(data.removeprefix(b"\xef\xbb\xbf"), infer_schema=False)[:, 0].to_list()


@pytest.mark.parametrize("text", RISKY)
def test_text_a_spreadsheet_could_run_is_written_after_a_single_quote(text):
    data = to_csv_bytes(pl.DataFrame({"name": [text]}))
    assert raw_cells(data) == ["'" + text]


@pytest.mark.parametrize("text", PLAIN)
def test_other_text_is_written_as_it_is(text):
    assert raw_cells(to_csv_bytes(pl.DataFrame({"name": [text]}, schema={"name": pl.String}))) == [
        text
    ]


def test_text_reads_back_exactly_including_nulls_and_empty_strings():
    frame = pl.DataFrame({"name": RISKY + PLAIN}, schema={"name": pl.String})
    assert read_neutralised_csv(to_csv_bytes(frame), frame.schema).equals(frame)


def test_column_names_are_neutralised_too_and_read_back():
    frame = pl.DataFrame({"=team": ["a"], "-north": [1.5], "plain": ["=x"]})
    data = to_csv_bytes(frame)
    assert data.splitlines()[0] == "\ufeff'=team,'-north,plain".encode()
    assert read_neutralised_csv(data, frame.schema).equals(frame)


def test_floats_round_trip_bit_for_bit():
    rng = np.random.default_rng(11)
    values = np.concatenate(
        [
            rng.standard_normal(2000) * 10.0 ** rng.integers(-300, 300, 2000),
            [0.1 + 0.2, 1 / 3, 5e-324, 1.7976931348623157e308, -0.0, 2.0**53 + 2, np.nan, np.inf],
        ]
    )
    frame = pl.DataFrame({"value": values})
    back = read_neutralised_csv(to_csv_bytes(frame), frame.schema)
    assert back["value"].to_numpy().view(np.uint64).tolist() == values.view(np.uint64).tolist()


def test_dates_times_booleans_and_integers_are_exact():
    frame = pl.DataFrame(
        {
            "day": [date(2024, 2, 29), None],
            "at": [datetime(2024, 2, 29, 23, 59, 58, 123456), datetime(1999, 1, 1)],
            "flag": [True, False],
            "count": pl.Series([2**62, -7], dtype=pl.Int64),
            "team": pl.Series(["-x", "y"], dtype=pl.Categorical),
        }
    )
    back = read_neutralised_csv(to_csv_bytes(frame), frame.schema | {"team": pl.String})
    assert back.equals(frame.with_columns(pl.col("team").cast(pl.String)))


def test_the_file_starts_with_a_bom_so_excel_reads_utf8():
    assert to_csv_bytes(pl.DataFrame({"a": ["华东"]})).startswith(b"\xef\xbb\xbfa\n")


@pytest.fixture(scope="module")
def full_store(demo_goal_store, tmp_path_factory) -> Path:
    """The demo with its goal's baseline, plus a month set by hand, a tactic and a backtest, so
    every exportable table has rows, some of them text a spreadsheet would run."""
    path = tmp_path_factory.mktemp("export") / "store.duckdb"
    shutil.copyfile(demo_goal_store, path)
    with open_store(path) as con:
        goal, month, target = con.execute(
            "select goal, month, target from goal_targets order by month limit 1"
        ).fetchall()[0]
        override_month(con, goal, month, target * 1.1, "=ana", note="+fair")
        con.execute("insert into tactics values ($g, $m, '=cmd()', 2.5)", {"g": goal, "m": month})
        con.execute(
            "insert into backtests select run, metric, team, input_hash, 90, settings,"
            " created_at, 365, 0.05, 0.049, 0.8, 0.07, 0.068 from forecast_runs limit 1"
        )
        con.execute(
            "insert into sources values ('=wh', 'postgres', 'observations',"
            " 'postgresql://u:${PGPASSWORD}@h/db', '+select 1', 7, 1, now()::timestamp, '@ana')"
        )
        con.execute(
            "insert into sync_runs (source, started_at, seconds, outcome, rows_read, message)"
            " values ('=wh', now()::timestamp, 1.5, 'refused', 3, '-bad row')"
        )
        con.execute("insert into metric_freshness values ('gmv', 2)")
    return path


@pytest.mark.parametrize("table", EXPORTABLE_TABLES)
def test_every_exportable_table_round_trips_with_its_rows(full_store, table):
    with open_store(full_store, read_only=True) as con:
        frame = read_table(con, table)
    assert frame.height > 0
    assert read_neutralised_csv(to_csv_bytes(frame), frame.schema).equals(frame)


@pytest.mark.parametrize("table", ["schema_version", "settings", "teams; drop table teams", ""])
def test_other_names_are_refused_with_the_allowed_list(con, table):
    with pytest.raises(DataopsError, match="pick one of teams, metrics, observations"):
        read_table(con, table)


def test_a_table_is_exported_whole_in_a_stable_order(con):
    con.execute("insert into teams values ('b', '=B', 'd'), ('a', 'A', 'd'), ('-c', '@C', 'd')")
    assert read_table(con, "teams")["team"].to_list() == ["-c", "a", "b", "unassigned"]


def test_write_csv_creates_folders_and_leaves_no_partial_file(tmp_path):
    path = tmp_path / "out" / "deeper" / "teams.csv"
    frame = pl.DataFrame({"team": ["=x"]})
    write_csv(frame, path)
    assert path.read_bytes() == to_csv_bytes(frame)
    assert [p.name for p in path.parent.iterdir()] == ["teams.csv"]
