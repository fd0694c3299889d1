"""The Data page's Sources tab: add and remove sources, sync now, and what each run did."""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from metrics.access.roles import Action
from metrics.sources import definitions as defs
from metrics.store.errors import DataopsError
from ui.store_access import authorised, store_path, write
from ui.widgets import progress_bar
from ui.words import say

DAY = st.column_config.DateColumn(format="YYYY-MM-DD")
FRESHNESS_COLUMNS = {
    "latest_day": st.column_config.DateColumn("latest day", format="YYYY-MM-DD"),
    "expected_day": st.column_config.DateColumn("expected up to", format="YYYY-MM-DD"),
    "days_late": st.column_config.NumberColumn("days late", help="0: on time"),
    "lag_days": st.column_config.NumberColumn("lag", help="Expected latest day = today - lag"),
    "last_sync": st.column_config.DatetimeColumn("last sync", format="YYYY-MM-DD HH:mm"),
    "last_outcome": st.column_config.TextColumn("last outcome"),
}
RUN_COLUMNS = {
    "started_at": st.column_config.DatetimeColumn("started", format="YYYY-MM-DD HH:mm:ss"),
    "seconds": st.column_config.NumberColumn(format="%.1f"),
    "rows_read": st.column_config.NumberColumn("rows read"),
    "first_day": DAY,
    "last_day": DAY,
    "message": st.column_config.TextColumn(width="large", help="Why a run was refused or failed"),
}


@dataclass(frozen=True)
class Said:
    ok: bool
    text: str


def add_source(draft: defs.Source, by: str) -> Said:
    """Store `draft` (a URI with a literal password is refused before anything is written)."""
    try:
        defs.validate_source(draft)
        write(defs.add_source, draft, by, needs=Action.MANAGE_SOURCES)
    except DataopsError as error:
        return Said(False, say(error))
    return Said(True, f"Added source {draft.name}. Sync it with the button below.")


def remove_source(name: str) -> Said:
    try:
        write(defs.remove_source, name, needs=Action.MANAGE_SOURCES)
    except DataopsError as error:
        return Said(False, say(error))
    return Said(True, f"Removed source {name}; the rows it brought stay in the store.")


def sync_now(names: list[str]) -> list[Said]:
    """Sync `names` (all when empty) and refit the forecasts of what changed, with progress."""
    from workflows.refresh import sync_then_forecast

    try:
        authorised(Action.SYNC)  # the sync opens the store itself: check the person first
        with progress_bar("Syncing…") as progress:
            outcome = sync_then_forecast(store_path(), names, progress=progress)
    except DataopsError as error:
        return [Said(False, say(error))]
    said = [_said(result.run) for result in outcome.sync.results]
    if outcome.forecasts is not None:
        said.append(Said(True, f"Forecasts: {outcome.forecasts.summary()}"))
    return said or [Said(False, "No sources yet: add one above.")]


def _said(run) -> Said:
    if run.outcome == "ok":
        days = f", days {run.first_day} to {run.last_day}" if run.first_day else ""
        return Said(
            True,
            f"{run.source}: read {run.rows_read:,} rows, inserted {run.inserted:,}, "
            f"replaced {run.replaced:,}{days}.",
        )
    return Said(False, f"{run.source}: {run.outcome}. {run.message}")
