"""Fixtures every test package shares. Area factories live beside their tests."""

from __future__ import annotations

import datetime as dt
import os
import shutil
from pathlib import Path

import pytest

from metrics.store.connection import memory_store, open_store

REAL_DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "real"


@pytest.fixture
def con():
    """A migrated in-memory store."""
    connection = memory_store()
    yield connection
    connection.close()


@pytest.fixture
def store_path(tmp_path) -> Path:
    """A migrated, empty store file."""
    path = tmp_path / "store.duckdb"
    with open_store(path):
        pass
    return path


@pytest.fixture
def real_data() -> Path:
    """The folder of real public series; tests that need it are skipped where it is absent."""
    if not REAL_DATA.is_dir():
        pytest.skip(f"real data folder {REAL_DATA} is absent")
    return REAL_DATA


# The demo company the tests of later issues measure against: fixed, so their figures are stable.
DEMO_TEST_END = dt.date(2025, 11, 30)


@pytest.fixture(scope="session")
def demo_store(tmp_path_factory) -> Path:
    """A demo company store (seed 7, 5 teams, 2022-01-01 to 2025-11-30), built once per run.

    xdist workers share one file: the first builds it under a file lock, the others wait and
    reuse it. Open it read-only; a test that writes uses `demo_store_copy`.
    """
    from filelock import FileLock

    from metrics.demo import DemoConfig
    from workflows.demo import build_demo_store

    # Under xdist each worker's basetemp sits in the run's own folder; alone, basetemp is that
    # folder (its parent is shared by every past run, which could hold a stale store).
    base = tmp_path_factory.getbasetemp()
    shared = base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base
    path = shared / "demo_store.duckdb"
    with FileLock(str(path) + ".lock"):
        if not path.exists():
            build_demo_store(path, DemoConfig(seed=7, teams=5, years=3, end=DEMO_TEST_END))
    return path


@pytest.fixture
def demo_store_copy(demo_store, tmp_path) -> Path:
    """A private, writable copy of the demo store."""
    path = tmp_path / "demo.duckdb"
    shutil.copyfile(demo_store, path)
    return path


@pytest.fixture(scope="session")
def demo_goal_store(demo_store, tmp_path_factory) -> Path:
    """The demo store with its goal's natural baseline frozen, as `dataops contribution` (or
    `dataops forecast --goal`) leaves it. Prophet fits once per run (about a minute on two busy
    cores); xdist workers share the file like `demo_store`. Open it read-only, or copy it."""
    from filelock import FileLock

    from forecasting.runner import freeze_goal_baseline

    base = tmp_path_factory.getbasetemp()
    shared = base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base
    path = shared / "demo_goal_store.duckdb"
    with FileLock(str(path) + ".lock"):
        if not path.exists():
            building = shared / "demo_goal_store.building.duckdb"
            shutil.copyfile(demo_store, building)
            with open_store(building, read_only=True) as con:
                (goal,) = con.execute("select goal from goals").fetchall()[0]
            fitted = freeze_goal_baseline(building, goal)
            assert not fitted.failed, fitted.summary()
            building.rename(path)  # only a finished store ever has the final name
    return path
