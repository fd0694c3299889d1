"""Freshness on the pages: a warning when the goal's data ends before it should."""

from __future__ import annotations

import datetime as dt

import duckdb
import streamlit as st

from metrics.plan.goals import load_goal
from metrics.sources.freshness import Lateness, metric_lateness
from ui.store_access import read


def goal_lateness(con: duckdb.DuckDBPyConnection, goal_id: str, today: dt.date) -> Lateness | None:
    """The lateness of the goal metric's data (a ratio: the staler of its parts), or None."""
    return metric_lateness(con, load_goal(con, goal_id).metric, today)


def stale_data_warning(goal_id: str, today: dt.date | None = None) -> None:
    """Say so above everything when the goal's numbers stop before the expected day."""
    late = read(goal_lateness, goal_id, today or dt.date.today())
    if late is None:
        return
    st.warning(
        f"Stale data: {late.metric} {late}: it was expected up to {late.expected_day}. "
        "The numbers below stop there. Check the Data page's Sources tab, where Sync now "
        "brings in what the sources have.",
        icon=":material/schedule:",
    )
