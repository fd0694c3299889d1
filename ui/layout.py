"""The shared sidebar and the page header, so every page shows the same context."""

from __future__ import annotations

import streamlit as st

from metrics.store.connection import store_version
from metrics.store.errors import DataopsError
from ui.access_view import sidebar_identity
from ui.context import sidebar_context
from ui.store_access import prepare_store, store_path
from ui.text import error_text, md_code, md_text


def sidebar(*, show_server_details: bool) -> bool:
    """Draw the shared sidebar; return False (after saying what to do) when there is no store
    or it cannot be used. The store's path and the fixes that name it are server details: only
    viewers allowed to see them (owners) get them."""
    path = store_path()
    with st.sidebar:
        sidebar_identity()
        if show_server_details:
            st.caption(f"Store: {md_text(path)}")
        if not path.exists():
            st.error(
                f"No store at {md_code(path)}. Start the app with `make run`, which builds the "
                "demo company on first start, or set DATAOPS_STORE to the store file you use."
                if show_server_details
                else "There is no store yet. Ask the person who runs the cockpit to build one."
            )
            return False
        try:
            writable = prepare_store(str(path), store_version(path))
        except DataopsError as error:
            st.error(error_text(error, show_server_details=show_server_details))
            return False
        if not writable:
            st.warning("The store is read-only: every page shows it, but saves are refused.")
        sidebar_context()
    return True


def run_page(page, *, show_server_details: bool) -> None:
    """Run the chosen page; a user error that escaped it is said plainly, never as a
    traceback (Streamlit's own display of other errors is limited by .streamlit/config.toml)."""
    try:
        page.run()
    except DataopsError as error:
        st.error(error_text(error, show_server_details=show_server_details))
