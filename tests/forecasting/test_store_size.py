"""What the forecast tables keep per series: rows bounded by a run's days, never sampled paths
(`forecast_samples` is computed when read), and a refresh replaces its rows instead of adding.

The runs are written by the real runner with `forecasting.stand_in` fitting, so the tables and
row counts are a real run's (see benchmarks/store_size_bench.py for the sizes at 5M rows).
"""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest

from forecasting.stand_in import StandInEngine
from forecasting.writes import DRAWS
from metrics.demo import DemoConfig
from metrics.store.connection import open_store
from workflows.demo import build_demo_store
from workflows.forecasts import refit_forecasts

SMALL = DemoConfig(seed=3, teams=2, years=2, end=dt.date(2025, 6, 30))


def read(path: Path, query: str) -> list[tuple]:
    with open_store(path, read_only=True) as con:
        return con.execute(query).fetchall()


@pytest.fixture(scope="module")
def store(tmp_path_factory) -> Path:
    """The small demo with its goal baseline frozen and every series' rolling forecast."""
    path = tmp_path_factory.mktemp("size") / "store.duckdb"
    assert build_demo_store(path, SMALL, forecast=True, engine=StandInEngine()).fitted.ok
    return path


def test_sampled_paths_are_a_view_not_stored_rows(store):
    kinds = read(
        store,
        "select table_type from information_schema.tables where table_name = 'forecast_samples'",
    )
    assert kinds == [("VIEW",)]
    paths, days = read(
        store,
        "select (select count(*) from forecast_samples),"
        " (select count(*) from forecasts join calibrations using (run))",
    )[0]
    assert days > 0
    assert paths == DRAWS * days


# Most rows a good run may keep in each table, and the fewest; `days` is the run's forecast days,
# `weeks` its backtest windows (two origins, a running total every week of the horizon). A run
# without enough history for a backtest has no errors and no backtest row.
RUN_BOUNDS = [
    ("forecasts", "days", "days"),
    ("calibration_draws", f"{DRAWS}", f"{DRAWS}"),
    ("calibrations", "1", "1"),
    ("backtest_errors", "2 * weeks", "0"),
    ("backtests", "1", "0"),
]


@pytest.mark.parametrize(("table", "most", "fewest"), RUN_BOUNDS)
def test_a_run_keeps_rows_bounded_by_its_days_not_by_paths_times_days(store, table, most, fewest):
    over = read(
        store,
        f"""
        with runs as (
            select run, forecast_end - forecast_start + 1 as days,
                ceil(case when purpose = 'goal' then forecast_end - forecast_start + 1
                     else 90 end / 7) as weeks
            from forecast_runs where status = 'ok'
        )
        select r.run, count(t.run) as n
        from runs r left join {table} t using (run)
        group by r.run, r.days, r.weeks
        having count(t.run) not between {fewest} and {most}
        """,
    )
    assert over == []


def test_every_day_of_a_run_is_one_row(store):
    assert read(store, "select run, day from forecasts group by run, day having count(*) > 1") == []


def test_a_refresh_replaces_the_rolling_rows_instead_of_adding_to_them(store, tmp_path):
    path = tmp_path / "refreshed.duckdb"
    shutil.copy(store, path)
    counts = []
    for night in range(3):
        with open_store(path) as con:  # one more day of every series arrives
            con.execute(
                "insert into observations select day + 1, metric, team, value * 1.01"
                " from observations where day = (select max(day) from observations)"
            )
        report = refit_forecasts(path, engine=StandInEngine())
        assert report.fitted, night
        counts.append(
            read(
                path,
                "select count(*), count(distinct run), (select count(*) from calibration_draws)"
                " from forecasts join forecast_runs using (run) where purpose = 'rolling'",
            )[0]
        )
    series = read(path, "select count(*) from (select distinct metric, team from observations)")
    (rows, runs, draws), *_ = counts
    assert runs == series[0][0]
    # each refresh adds one forecast day per series (the shown history is capped at 3 years)
    assert [c[0] for c in counts] == [rows + night * runs for night in range(3)]
    assert [c[1:] for c in counts] == [(runs, draws)] * 3
