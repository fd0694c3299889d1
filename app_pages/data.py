"""Data: the metric catalogue, data health per series, imports and table downloads, and (for
owners) who may do what."""

from __future__ import annotations

import datetime as dt

import streamlit as st

from metrics.access.grants import grant, list_grants, revoke
from metrics.access.roles import ROLE_WORDS, Action, Role
from metrics.importing import ImportKind
from metrics.importing.log import load_import_log
from metrics.store import health
from metrics.store.catalog import UNASSIGNED, load_teams
from metrics.store.errors import DataopsError, ValidationFailed
from metrics.store.export import EXPORTABLE_TABLES
from ui.access_view import allowed, author
from ui.import_flow import guess_kind, run_import
from ui.store_access import read, write
from ui.widgets import download_table_csv, table

st.title("Data")
st.caption("What the cockpit knows: metrics, how complete and fresh each series is, and imports.")


def access_section() -> None:
    """Owners only: every grant, and a form to grant or revoke (checked again on save)."""
    if said := st.session_state.pop("access-said", None):
        st.success(said)
    table(read(list_grants), name="access_grants", empty="No grants yet.")
    st.caption("Roles: " + "; ".join(ROLE_WORDS.values()) + ".")
    with st.form("access-grant"):
        st.markdown("**Grant a role**")
        st.text_input("E-mail", placeholder="ana@example.com", key="access-email")
        st.selectbox("Role", list(Role), format_func=ROLE_WORDS.get, key="access-role")
        teams = sorted(set(read(load_teams)) - {UNASSIGNED})
        st.multiselect("Teams they lead (team lead only)", teams, key="access-teams")
        st.form_submit_button("Grant", type="primary", on_click=grant_clicked)
    others = sorted(set(read(list_grants)["email"]) - {author()})  # nobody locks themselves out
    with st.form("access-revoke"):
        st.markdown("**Revoke**: every grant of one person")
        st.selectbox("E-mail", others, index=None, key="access-revoke-email")
        st.form_submit_button("Revoke", on_click=revoke_clicked)


def grant_clicked() -> None:
    # a callback (runs before the rerun), so the fields can be cleared once it is saved
    email, role = st.session_state["access-email"], st.session_state["access-role"]
    led = st.session_state["access-teams"]
    if change(f"{email.strip().lower()} is now {role}.", grant, email, role, led, author()):
        st.session_state["access-email"], st.session_state["access-teams"] = "", []


def revoke_clicked() -> None:
    if who := st.session_state["access-revoke-email"]:
        change(f"{who} has no access any more.", revoke, who)


def change(said: str, action, *args) -> bool:
    try:
        write(action, *args, needs=Action.MANAGE_ACCESS)
    except ValidationFailed as refused:
        st.session_state["access-refused"] = "; ".join(str(p) for p in refused.problems)
        return False
    except DataopsError as error:
        st.session_state["access-refused"] = str(error)
        return False
    st.session_state["access-said"] = said
    return True


def import_section() -> None:
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
            f"`{upload.name}` holds",
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
    ready = ready and allowed(Action.IMPORT_DATA)
    if st.button("Validate and import", type="primary", disabled=not ready, key="import-run"):
        try:
            outcome = run_import(chosen, replace=replace)
        except DataopsError as error:  # no right to import, or the store busy
            st.error(f"Not imported: {error}")
            return
        if outcome.refused:
            st.error(
                f"Refused: {outcome.problem_count:,} problem(s) found, nothing was written. "
                "Fix them in your file(s) and upload again."
            )
            table(outcome.problems, name="import_problems")
        else:
            st.success(f"Imported {outcome.summary}.")
    log = read(load_import_log)
    if not log.is_empty():
        st.markdown("**Imports so far**")
        table(log, name="import_log")


if refused := st.session_state.pop("access-refused", None):  # shown even if the tab is not
    st.error(f"Access not changed: {refused}")
names = ["Metric catalogue", "Data health", "Import", "Export"]
owner = allowed(Action.MANAGE_ACCESS)
catalogue_tab, health_tab, import_tab, export_tab, *access_tab = st.tabs(
    names + (["Access"] if owner else [])
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
    if not allowed(Action.IMPORT_DATA):
        st.caption("Read-only: only an owner imports data.")
    import_section()

with export_tab:
    st.markdown(
        "Any table of the store as CSV, safe to open in a spreadsheet (cells that would run as "
        "formulas are neutralised). Large tables are prepared when you click."
    )
    chosen_table = st.selectbox("Table", EXPORTABLE_TABLES, key="export-table")
    download_table_csv(chosen_table)

if access_tab:
    with access_tab[0]:
        access_section()
