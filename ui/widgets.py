"""Widgets every page uses: tables that always come with a formula-safe CSV download, and the
progress bar a workflow step drives."""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator
from typing import Any

import polars as pl
import streamlit as st

from metrics.store.connection import open_store
from metrics.store.export import read_table, to_csv_bytes
from ui.store_access import store_path
from workflows.progress import Progress, Step


def table(
    frame: pl.DataFrame,
    *,
    name: str,
    column_config: dict[str, Any] | None = None,
    height: int | str = "auto",
    empty: str = "Nothing to show yet.",
) -> None:
    """Show `frame` with a CSV download of exactly what is shown (made only when clicked)."""
    if frame.is_empty():
        st.info(empty)
        return
    st.dataframe(frame, hide_index=True, column_config=column_config, height=height)
    download_csv(frame, name=name)


def download_csv(frame: pl.DataFrame, *, name: str, label: str = "Download CSV") -> None:
    file_name = _safe_file_name(name)
    st.download_button(
        label,
        data=lambda: to_csv_bytes(frame),
        file_name=f"{file_name}.csv",
        mime="text/csv",
        key=f"download-{file_name}",
        icon=":material/download:",
        on_click="ignore",
    )


def _safe_file_name(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", name).strip("_") or "table"


def download_table_csv(table_name: str) -> None:
    """A whole store table as CSV, read only when the button is clicked (tables can be large)."""

    def make() -> bytes:
        with open_store(store_path(), read_only=True) as con:
            return to_csv_bytes(read_table(con, table_name))

    st.download_button(
        f"Download {table_name}.csv",
        data=make,
        file_name=f"{_safe_file_name(table_name)}.csv",
        mime="text/csv",
        key=f"download-table-{table_name}",
        icon=":material/download:",
        on_click="ignore",
    )


@contextlib.contextmanager
def progress_bar(text: str) -> Iterator[Progress]:
    """`st.progress`, yielded as a workflow's `progress(step)` and removed when the step ends."""
    bar = st.progress(0.0, text=text)

    def update(step: Step) -> None:
        if step.fraction is None:
            bar.progress(0.0, text=step.stage[:1].upper() + step.stage[1:] + "…")
        else:
            bar.progress(step.fraction, text=f"Fitted {step.done} of {step.total}: {step.label}")

    try:
        yield update
    finally:
        bar.empty()
