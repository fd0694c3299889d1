"""Data: the metric catalogue, data health and freshness, sources and their syncs, imports and
table downloads, and (for owners) who may do what."""

from __future__ import annotations

import datetime as dt

import streamlit as st

from metrics.access.grants import grant, list_grants, revoke
from metrics.access.roles import ROLE_WORDS, Action, Role
from metrics.importing import ImportKind
from metrics.importing.log import load_import_log
from metrics.sources import definitions as defs
from metrics.sources import freshness, runs
from metrics.store import health
from metrics.store.catalog import UNASSIGNED, load_teams
from metrics.store.errors import DataopsError, ValidationFailed
from metrics.store.export import EXPORTABLE_TABLES
from ui import sources_view
from ui.access_view import allowed, author
from ui.import_flow import guess_kind, run_import
from ui.store_access import read, write
from ui.text import md_code, md_text
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
            st.success(md_text(f"Imported {outcome.summary}."))
    log = read(load_import_log)
    if not log.is_empty():
        st.markdown("**Imports so far**")
        table(log, name="import_log")


if refused := st.session_state.pop("access-refused", None):  # shown even if the tab is not
    st.error(f"Access not changed: {refused}")
tab_names = ["Metric catalogue", "Data health", "Import", "Sources", "Export"]
owner = allowed(Action.MANAGE_ACCESS)
catalogue_tab, health_tab, import_tab, sources_tab, export_tab, *access_tab = st.tabs(
    tab_names + (["Access"] if owner else [])
)
today = dt.date.today()

with catalogue_tab:
    table(
        read(health.metric_catalogue),
        name="metric_catalogue",
        empty="No metrics yet: import a metrics file (see the Import tab).",
    )

with health_tab:
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

with sources_tab:
    st.markdown(
        "Sources fill the store by themselves: each sync reads what is new (and re-reads a "
        "restatement window before it, so late corrections replace what was stored), checks it "
        "with the same rules as an import and writes each source's batch whole or not at all. "
        "Schedule the command line's daily refresh (see the README) to run it every day."
    )
    st.markdown("**Freshness per source**")
    table(
        read(freshness.source_freshness, today),
        name="source_freshness",
        empty="No sources yet: add one below.",
        column_config=sources_view.FRESHNESS_COLUMNS,
    )
    st.markdown("**Freshness per metric** (expected up to yesterday unless set otherwise)")
    table(
        read(freshness.metric_freshness, today),
        name="metric_freshness",
        empty="No metrics yet.",
        column_config=sources_view.FRESHNESS_COLUMNS,
    )
    sources = read(defs.sources_table)
    names = sources["source"].to_list() if not sources.is_empty() else []
    chosen_sources = st.multiselect(
        "Sync", names, placeholder="All sources", key="sources-sync-names"
    )
    may_sync = allowed(Action.SYNC)
    if st.button(
        "Sync now", type="primary", disabled=not names or not may_sync, key="sources-sync"
    ):
        for said in sources_view.sync_now(chosen_sources):
            (st.success if said.ok else st.error)(said.text)
    st.markdown("**Sync runs** (newest first)")
    table(
        read(runs.sync_runs),
        name="sync_runs",
        empty="No sync has run yet.",
        column_config=sources_view.RUN_COLUMNS,
    )
    st.markdown("**Sources** (passwords are never stored: write `${VAR}` and set it where the "
                "sync runs)")  # fmt: skip
    table(sources, name="sources", empty="No sources yet.")
    with st.form("sources-add", clear_on_submit=False):
        st.markdown("**Add a source**")
        left, right = st.columns(2)
        name = left.text_input("Name", placeholder="warehouse", key="sources-add-name")
        kind = right.selectbox("Kind", list(defs.SourceKind), key="sources-add-kind")
        targets = list(defs.Target)
        target = left.selectbox(  # observations by default: what most sources bring
            "Table", targets, targets.index(defs.Target.OBSERVATIONS), key="sources-add-table"
        )
        uri = right.text_input(
            "URI", placeholder="postgresql://user:${PGPASSWORD}@host/db", key="sources-add-uri"
        )
        query = st.text_area(
            "Query (postgres; empty reads the table named like the target)", key="sources-add-query"
        )
        restate = left.number_input(
            "Restatement days", 0, 366, defs.DEFAULT_RESTATEMENT_DAYS, key="sources-add-restate"
        )
        lag = right.number_input(
            "Lag days (expected latest day = today - lag)", 0, 366, defs.DEFAULT_LAG_DAYS,
            key="sources-add-lag",
        )  # fmt: skip
        if st.form_submit_button("Add source", disabled=not allowed(Action.MANAGE_SOURCES)):
            draft = defs.Source(
                name.strip(), kind, target, uri.strip(), query.strip() or None, restate, lag
            )
            said = sources_view.add_source(draft, author())
            (st.success if said.ok else st.error)(said.text)
    if names:
        gone = st.selectbox("Remove a source", names, index=None, key="sources-remove-name")
        may_manage = allowed(Action.MANAGE_SOURCES)
        if st.button("Remove", disabled=gone is None or not may_manage, key="sources-remove"):
            said = sources_view.remove_source(gone)
            (st.success if said.ok else st.error)(said.text)

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
