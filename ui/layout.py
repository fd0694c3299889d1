"""The shared sidebar and the page header, so every page shows the same context."""

from __future__ import annotations

import streamlit as st

from metrics.store.connection import store_version
from metrics.store.errors import DataopsError
from ui.context import sidebar_context
from ui.store_access import prepare_store, store_path
from ui.words import say


def sidebar() -> bool:
    """Draw the shared sidebar; return False (after saying what to do) when there is no store."""
    path = store_path()
    with st.sidebar:
        st.caption(f"Store: `{path}`")
        if not path.exists():
            st.error(
                f"No store at `{path}`. Start the app with `make run`, which builds the demo "
                "company on first start, or set DATAOPS_STORE to the store file you use."
            )
            return False
        try:
            prepare_store(str(path), store_version(path))
        except DataopsError as error:
            st.error(say(error))
            return False
        sidebar_context()
    return True
