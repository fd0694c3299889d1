"""Fixtures every test package shares. Area factories live beside their tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from metrics.store import memory_store, open_store

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
