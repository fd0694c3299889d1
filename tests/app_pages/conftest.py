"""What every page test shares: the app started the way a browser starts it (at `app.py`, so the
sidebar and its goal run, then `switch_page`), on a store of the test's own.

    app = start_app(store, monkeypatch, "app_pages/goals.py")   # or query={"team": "promo"}
    read_store(store, monthly_targets, "gmv_2025")

Fixtures: `copy` (a writable copy of the demo with its goal's baseline, per test), `goal_store`
(the same, shared by a module's read-only tests) and `app` (the module's `PAGE` opened on it).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from metrics.store.connection import open_store

APP = str(Path(__file__).resolve().parents[2] / "app.py")


def start_app(
    store: Path, monkeypatch, page: str | None = None, *, query: dict | None = None
) -> AppTest:
    """The app on `store`, opened at `page` (None: the default page) with `query` in the URL."""
    monkeypatch.setenv("DATAOPS_STORE", str(store))
    app = AppTest.from_file(APP, default_timeout=120)
    for key, value in (query or {}).items():
        app.query_params[key] = value
    app.run()
    return app if page is None else app.switch_page(page).run()


def read_store(path: Path, query, *args):
    """A named query's answer from the store, as the test sees it after the page wrote."""
    with open_store(path, read_only=True) as con:
        return query(con, *args)


@pytest.fixture
def copy(demo_goal_store, tmp_path) -> Path:
    """A private writable copy of the demo with its goal's baseline frozen."""
    path = tmp_path / "page.duckdb"
    shutil.copyfile(demo_goal_store, path)
    return path


@pytest.fixture(scope="module")
def goal_store(demo_goal_store, tmp_path_factory) -> Path:
    """A copy shared by one module's tests: the app opens its store writable once to migrate it."""
    path = tmp_path_factory.mktemp("pages") / "store.duckdb"
    shutil.copyfile(demo_goal_store, path)
    return path


@pytest.fixture(scope="module")
def app(request, goal_store):
    """The module's `PAGE`, opened once on `goal_store` for its read-only tests."""
    with pytest.MonkeyPatch.context() as patch:
        yield start_app(goal_store, patch, request.module.PAGE)
