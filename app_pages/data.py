"""Data: the metric catalogue, data health per series, imports and table downloads."""

from __future__ import annotations

import datetime as dt

import streamlit as st

from metrics.importing import ImportKind
from metrics.store import health
from metrics.store.export import EXPORTABLE_TABLES
from ui.import_flow import guess_kind, run_import
from ui.store_access import read
from ui.text import md_code, md_text
from ui.widgets import download_table_csv, table

st.title("Data")
st.caption("What the cockpit knows: metrics, how complete and fresh each series is, and imports.")

catalogue_tab, health_tab, import_tab, export_tab = st.tabs(
    ["Metric catalogue", "Data health", "Import", "Export"]
)

with catalogue_tab:
    table(
        read(health.metric_catalogue),
        name="metric_catalogue",
        empty="No metrics yet: import a metrics file (see the Import tab).",
    )

with health_tab:
    today = dt.date.today()
    series = read(health.series_health, today)
    if not series.is_empty():
        stale = series.filter(series["days_since_last"] > 1).height
        gappy = series.filter(series["missing_days"] > 0).height
        left, middle, right = st.columns(3)
        left.metric("Series", f"{series.height:,}")
        middle.metric("Series with missing days", f"{gappy:,}")
        right.metric("Series not updated since yesterday", f"{stale:,}")
    table(
        series,
        name="data_health",
        empty="No observations yet: import an observations file (see the Import tab).",
        column_config={
            "missing_days": st.column_config.NumberColumn(
                "missing days", help="Days without a row between the first and last day"
            ),
            "days_since_last": st.column_config.NumberColumn(
                "days since last", help=f"Freshness: days from the last observation to {today}"
            ),
        },
    )

with import_tab:
    st.markdown(
        "Upload one or more CSV files. They are validated together (teams and metrics declared "
        "in the same upload count as known) and written all-or-nothing: if any problem is found, "
        "nothing is written and every problem is listed."
    )
    uploads = st.file_uploader(
        "CSV files", type=["csv"], accept_multiple_files=True, key="import-files"
    )
    kinds = list(ImportKind)
    chosen = []
    for upload in uploads or []:
        guess = guess_kind(upload.name)
        kind = st.selectbox(
            f"{md_code(upload.name)} holds",
            kinds,
            index=kinds.index(guess) if guess else None,
            placeholder="Choose what this file holds",
            key=f"import-kind-{upload.name}",
        )
        chosen.append((kind, upload.name, upload.getvalue()))
    replace = st.checkbox(
        "Replace rows that already exist in the store",
        help="Without this, a row whose key is already stored is reported as a problem.",
    )
    ready = bool(chosen) and all(kind is not None for kind, _, _ in chosen)
    if st.button("Validate and import", type="primary", disabled=not ready):
        outcome = run_import(chosen, replace=replace)
        if outcome.refused:
            st.error(
                f"Refused: {outcome.problem_count:,} problem(s) found, nothing was written. "
                "Fix them in your file(s) and upload again."
            )
            table(outcome.problems, name="import_problems")
        else:
            st.success(md_text(f"Imported {outcome.summary}."))

with export_tab:
    st.markdown(
        "Any table of the store as CSV, safe to open in a spreadsheet (cells that would run as "
        "formulas are neutralised). Large tables are prepared when you click."
    )
    chosen_table = st.selectbox("Table", EXPORTABLE_TABLES, key="export-table")
    download_table_csv(chosen_table)
