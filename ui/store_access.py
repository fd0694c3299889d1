"""Cached, read-only access to the store for pages, and the one door for page writes.

Reads are cached per store version (file mtime/size), so a write from any process (the app, or
`dataops` in a terminal) invalidates them, and the file is never held open between reruns.
Every write names the `Action` it is (`needs=`) and, for one team's action, the team: the door
asks `metrics.access.guard.authorise` inside the unit of work that writes, with the person
`ui.identity` resolves, so a hidden button is never the only thing standing in the way.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import streamlit as st

from metrics.access.guard import authorise
from metrics.access.roles import Action, Person
from metrics.store.connection import open_store, store_path_from_env, store_version
from metrics.store.errors import StoreReadOnly
from ui.identity import current_person

T = TypeVar("T")


def store_path() -> Path:
    return store_path_from_env()


def read(query: Callable[..., T], *args: Any) -> T:
    """Run the named query `query(con, *args)` on a read-only store, cached per store version.

    `query` must be a module-level function (it is looked up again by module and name inside the
    cache, so the cache key stays small and stable); `args` must be hashable by Streamlit.
    """
    path = store_path()
    return _cached(query.__module__, query.__qualname__, str(path), store_version(path), args)


@st.cache_data(show_spinner=False, max_entries=512)
def _cached(module: str, name: str, path: str, version: tuple, args: tuple) -> Any:
    query = getattr(importlib.import_module(module), name)
    with open_store(path, read_only=True) as con:
        return query(con, *args)


def write(
    action: Callable[..., T], *args: Any, needs: Action, team: str | None = None, **kwargs: Any
) -> T:
    """Run `action(con, *args, **kwargs)` on a writable store when the person may do `needs`
    (for `team`); else `AccessDenied` and nothing is written. Saves from concurrent sessions
    queue on the store's process lock (see metrics.store.connection), so none is lost."""
    person = current_person()
    with open_store(store_path(), create=False) as con:
        authorise(con, person, needs, team)
        return action(con, *args, **kwargs)


def authorised(needs: Action, team: str | None = None) -> Person:
    """The same check for work that opens the store itself (fitting models): call it first."""
    with open_store(store_path(), read_only=True) as con:
        return authorise(con, current_person(), needs, team)


@st.cache_resource(show_spinner="Preparing the store…")
def prepare_store(path: str, version: tuple) -> bool:
    """Apply pending migrations once per store version, so read-only opens find it current.
    Returns False when the store can only be read (pages still show it; saves are refused)."""
    try:
        with open_store(path, create=False):
            return True
    except StoreReadOnly:
        with open_store(path, read_only=True):  # raises when it cannot even be read
            return False
