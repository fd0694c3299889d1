"""Syncing a Parquet folder and a CSV glob: the import's rules, each problem at its file and row."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from metrics.sources.definitions import Source, SourceKind, Target, add_source
from metrics.sources.runs import Outcome
from metrics.store.connection import open_store
from tests.workflows.sync_factories import START, catalogue_store, daily_rows, store_observations
from workflows.sync import sync_sources


def with_source(store, kind: SourceKind, uri: str, target: Target = Target.OBSERVATIONS):
    with open_store(store) as con:
        add_source(con, Source("files", kind, target, uri), "test")


def test_a_parquet_folder_syncs_every_file_under_it(tmp_path):
    store = catalogue_store(tmp_path / "store.duckdb")
    folder = tmp_path / "lake"
    (folder / "2026-11").mkdir(parents=True)
    rows = daily_rows(20)
    rows.head(40).write_parquet(folder / "part-0.parquet")
    rows.tail(40).write_parquet(folder / "2026-11" / "part-1.parquet")
    with_source(store, SourceKind.PARQUET, str(folder))
    (result,) = sync_sources(store).results
    assert result.ok, result.run.message
    assert store_observations(store)["value"].sum() == rows["value"].sum()

    more = daily_rows(1, start=START + dt.timedelta(days=20))
    more.write_parquet(folder / "2026-11" / "part-2.parquet")
    (result,) = sync_sources(store).results
    assert (result.run.inserted, result.run.replaced) == (4, 0)
    assert result.run.rows_read == 8 * 4 + 4  # the restatement window and the new day


def csv_text(rows: pl.DataFrame) -> str:
    return rows.with_columns(pl.col("date").cast(pl.String)).write_csv()


def test_a_csv_glob_syncs_the_matching_files(tmp_path):
    store = catalogue_store(tmp_path / "store.duckdb")
    rows = daily_rows(10)
    (tmp_path / "exports").mkdir()
    (tmp_path / "exports" / "a.csv").write_text(csv_text(rows.head(20)), encoding="utf-8")
    (tmp_path / "exports" / "b.csv").write_text(csv_text(rows.tail(20)), encoding="utf-8")
    (tmp_path / "exports" / "notes.txt").write_text("not data", encoding="utf-8")
    with_source(store, SourceKind.CSV, str(tmp_path / "exports" / "*.csv"))
    (result,) = sync_sources(store).results
    assert result.ok, result.run.message
    assert store_observations(store).height == 40


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("2026-11-21,gmv,nobody,5", "b.csv, row 3, column 'team', value 'nobody'"),
        ("2026-11-21,gmv,promotions,12k", "b.csv, row 3, column 'value', value '12k'"),
        ("21/11/2026,gmv,promotions,5", "b.csv, row 3, column 'date', value '21/11/2026'"),
    ],
)
def test_a_bad_csv_row_names_its_file_and_row_and_nothing_is_written(tmp_path, line, expected):
    store = catalogue_store(tmp_path / "store.duckdb")
    (tmp_path / "a.csv").write_text(csv_text(daily_rows(2)), encoding="utf-8")
    (tmp_path / "b.csv").write_text(
        "date,metric,team,value\n2026-11-21,orders,promotions,1\n" + line + "\n", encoding="utf-8"
    )
    with_source(store, SourceKind.CSV, str(tmp_path / "*.csv"))
    (result,) = sync_sources(store).results
    assert result.run.outcome == Outcome.REFUSED
    assert expected in result.run.message
    assert store_observations(store).is_empty()


def test_a_glob_matching_nothing_fails_with_the_pattern(tmp_path):
    store = catalogue_store(tmp_path / "store.duckdb")
    with_source(store, SourceKind.PARQUET, str(tmp_path / "missing" / "*.parquet"))
    (result,) = sync_sources(store).results
    assert result.run.outcome == Outcome.FAILED
    assert "no parquet files match" in result.run.message


def test_a_teams_source_adds_and_renames_teams(tmp_path):
    store = catalogue_store(tmp_path / "store.duckdb")
    (tmp_path / "teams.csv").write_text(
        "team,name,department\nsearch_ops,Search Operations,growth\npromotions,Promo,commerce\n",
        encoding="utf-8",
    )
    with_source(store, SourceKind.CSV, str(tmp_path / "teams.csv"), Target.TEAMS)
    (result,) = sync_sources(store).results
    assert (result.run.inserted, result.run.replaced) == (1, 1)
    with open_store(store, read_only=True) as con:
        names = dict(con.execute("select team, name from teams").fetchall())
    assert names["search_ops"] == "Search Operations" and names["promotions"] == "Promo"


def test_a_teams_source_syncs_before_the_observations_naming_its_new_team(tmp_path):
    store = catalogue_store(tmp_path / "store.duckdb")
    (tmp_path / "teams.csv").write_text(
        "team,name,department\nsearch_ops,Search Operations,growth\n", encoding="utf-8"
    )
    daily_rows(2, teams=("search_ops",)).write_parquet(tmp_path / "rows.parquet")
    with open_store(store) as con:  # "a_rows" sorts before "b_teams" by name
        add_source(con, Source("a_rows", SourceKind.PARQUET, Target.OBSERVATIONS,
                               str(tmp_path / "rows.parquet")), "t")  # fmt: skip
        add_source(con, Source("b_teams", SourceKind.CSV, Target.TEAMS,
                               str(tmp_path / "teams.csv")), "t")  # fmt: skip
    outcome = sync_sources(store)
    assert [(r.source, r.ok) for r in outcome.results] == [("b_teams", True), ("a_rows", True)]
    assert store_observations(store).height == 4
