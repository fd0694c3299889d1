"""`refresh`: sync, then refit only the forecasts of the series that changed."""

from __future__ import annotations

import datetime as dt

import pytest

from metrics.sources.definitions import Source, SourceKind, Target, add_source
from metrics.store.connection import open_store
from tests.workflows.sync_factories import catalogue_store, daily_rows
from workflows.refresh import RefreshRunning, refresh, refresh_lock

START = dt.date(2025, 1, 1)


@pytest.mark.slow
def test_new_data_refits_the_rolling_forecast_of_the_changed_series_only(tmp_path):
    store = catalogue_store(tmp_path / "store.duckdb")
    lake = tmp_path / "lake"
    lake.mkdir()
    daily_rows(400, start=START, teams=("promotions",)).write_parquet(lake / "history.parquet")
    with open_store(store) as con:
        add_source(con, Source("lake", SourceKind.PARQUET, Target.OBSERVATIONS, str(lake)), "t")

    first = refresh(store)
    assert len(first.forecasts.fitted) == 2, first.forecasts.outcomes

    new_day = daily_rows(1, start=START + dt.timedelta(days=400), teams=("promotions",))
    new_day.filter(new_day["metric"] == "gmv").write_parquet(lake / "new.parquet")
    second = refresh(store)
    assert second.sync.changed_series == (("gmv", "promotions"),)
    assert [o.label for o in second.forecasts.fitted] == ["gmv / promotions"]
    assert [o.label for o in second.forecasts.skipped] == ["orders / promotions"]

    third = refresh(store)  # nothing new: nothing to refit, Prophet not even loaded
    assert third.sync.changed_series == () and third.forecasts is None


def test_refresh_refuses_to_overlap_a_running_one(tmp_path):
    store = catalogue_store(tmp_path / "store.duckdb")
    with refresh_lock(store), pytest.raises(RefreshRunning, match="already running"):
        refresh(store)
    assert refresh(store).sync.results == ()  # the lock is free again
