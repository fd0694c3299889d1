"""The shared context every page reads: which goal, as of which day.

The sidebar sets them (from `?goal=` / `?as_of=` on first load, so links can be shared); pages
call `current_goal()` / `current_as_of()`, or `require_goal()` to show the empty state.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import duckdb
import streamlit as st

from metrics.contribution.queries import last_data_day
from metrics.plan.goals import list_goals, load_goal
from metrics.store.catalog import load_metrics
from ui.store_access import read

GOAL_KEY = "context-goal"
AS_OF_KEY = "context-as-of"


@dataclass(frozen=True)
class GoalWindow:
    start: dt.date
    end: dt.date
    last_data_day: dt.date | None  # the latest day with data inside the period


def goal_window(con: duckdb.DuckDBPyConnection, goal_id: str) -> GoalWindow:
    goal = load_goal(con, goal_id)
    stored = load_metrics(con)[goal.metric].stored_metrics
    return GoalWindow(
        goal.start_day, goal.end_day, last_data_day(con, stored, goal.start_day, goal.end_day)
    )


def sidebar_context() -> None:
    """Goal and as-of pickers, drawn inside the sidebar."""
    goals = read(list_goals)
    if goals.is_empty():
        st.session_state[GOAL_KEY] = None
        st.caption("No goal yet: agree one on the Goals page.")
        return
    ids = goals["goal"].to_list()
    names = dict(zip(ids, goals["name"].to_list(), strict=True))
    if st.session_state.get(GOAL_KEY) not in ids:
        wanted = st.query_params.get("goal")
        st.session_state[GOAL_KEY] = wanted if wanted in ids else ids[0]
    goal_id = st.selectbox(
        "Goal", ids, key=GOAL_KEY, format_func=lambda goal: f"{names[goal]} ({goal})"
    )
    window = read(goal_window, goal_id)
    if window.last_data_day is None:
        st.session_state[AS_OF_KEY] = None
        st.caption(f"No data yet inside {window.start} – {window.end}.")
        return
    _keep_as_of_inside(window)
    st.date_input(
        "As of",
        key=AS_OF_KEY,
        min_value=window.start,
        max_value=window.last_data_day,
        help="Measure the goal with the data up to this day (default: the latest day with data).",
    )


def _keep_as_of_inside(window: GoalWindow) -> None:
    chosen = st.session_state.get(AS_OF_KEY)
    if isinstance(chosen, dt.date) and window.start <= chosen <= window.last_data_day:
        return
    wanted = _date_from_query("as_of")
    inside = wanted is not None and window.start <= wanted <= window.last_data_day
    st.session_state[AS_OF_KEY] = wanted if inside else window.last_data_day


def _date_from_query(name: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(st.query_params.get(name, ""))
    except ValueError:
        return None


def current_goal() -> str | None:
    return st.session_state.get(GOAL_KEY)


def current_as_of() -> dt.date | None:
    return st.session_state.get(AS_OF_KEY)


def require_goal() -> tuple[str, dt.date]:
    """The goal and as-of day, or an empty state pointing at what to do next (and stop)."""
    goal_id, as_of = current_goal(), current_as_of()
    if goal_id is None:
        st.info("There is no goal yet. Agree the company goal first, then come back.")
        st.page_link("app_pages/goals.py", label="Set a goal", icon=":material/flag:")
        st.stop()
    if as_of is None:
        st.info("The goal has no data inside its period yet. Import observations on the Data page.")
        st.page_link("app_pages/data.py", label="Import data", icon=":material/database:")
        st.stop()
    return goal_id, as_of
