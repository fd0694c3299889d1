"""The Data page's Sources tab: sources added without secrets, synced, and every run shown."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from metrics.sources.definitions import load_sources
from metrics.store.connection import open_store
from tests.workflows.sync_factories import catalogue_store, daily_rows

APP = str(Path(__file__).resolve().parents[2] / "app.py")
DATA_PAGE = "app_pages/data.py"


@pytest.fixture
def store(tmp_path):
    return catalogue_store(tmp_path / "store.duckdb")


def open_page(store, monkeypatch) -> AppTest:
    monkeypatch.setenv("DATAOPS_STORE", str(store))
    return AppTest.from_file(APP, default_timeout=120).run().switch_page(DATA_PAGE).run()


def add(app: AppTest, name: str, kind: str, uri: str) -> AppTest:
    app.text_input(key="sources-add-name").set_value(name)
    app.selectbox(key="sources-add-kind").set_value(kind)
    app.text_input(key="sources-add-uri").set_value(uri)
    return app.button(key="FormSubmitter:sources-add-Add source").click().run()


def test_a_uri_with_a_password_is_refused_and_not_stored(store, monkeypatch):
    app = add(open_page(store, monkeypatch), "wh", "postgres", "postgresql://ana:hunter2@db/dw")
    assert not app.exception
    assert any("holds a password" in e.value for e in app.error)
    assert all("hunter2" not in e.value for e in app.error)
    with open_store(store, read_only=True) as con:
        assert load_sources(con) == []


def test_a_source_added_on_the_page_syncs_and_its_run_is_listed(store, monkeypatch, tmp_path):
    daily_rows(3).write_parquet(tmp_path / "rows.parquet")
    app = add(open_page(store, monkeypatch), "lake", "parquet", str(tmp_path / "*.parquet"))
    assert any("Added source lake" in s.value for s in app.success)
    app = open_page(store, monkeypatch)  # a fresh session sees it listed
    app.button(key="sources-sync").click().run()
    assert not app.exception
    assert any("lake: read 12 rows, inserted 12" in s.value for s in app.success)
    app.run()
    runs = [f.value for f in app.dataframe if "rows_read" in f.value.columns]
    assert runs and runs[0]["outcome"].to_list() == ["ok"]
