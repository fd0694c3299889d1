"""Phases: the goal's phases and main tasks, each team's share of a phase's gap, the targets that
follow for every team, and what to do when a phase ends short.

Every problem of the edited tables is listed next to them, with its fix, and nothing is saved
while one remains.
"""

from __future__ import annotations

import streamlit as st

import ui
from metrics.access.roles import Action
from metrics.plan.decomposition import goal_months
from metrics.plan.goals import load_goal
from metrics.plan.phase_review import (
    load_phase_shortfalls,
    load_team_phase_targets,
    respread_from_phase,
)
from metrics.plan.phases import load_assignments, load_phases, save_assignments, save_phases
from metrics.store.catalog import UNASSIGNED, Metric, load_metrics, load_teams
from metrics.store.errors import DataopsError, Problem, problems_frame
from ui import phases_view as view
from ui.access_view import allowed
from ui.context import current_goal, require_goal
from ui.formatting import format_share, format_value
from ui.goals_view import month_labels, number_format
from ui.plan_session import author_input, finish, show_flash
from ui.store_access import read, write
from ui.text import error_text, md_text
from ui.widgets import download_csv, table
from ui.words import CONTROLS

CONFIRM = "phases-confirm"


def attempt(needs: Action, action, *args) -> tuple[bool, object]:
    """Write through the store's door; a refusal (no right, store busy, plan refused) is a
    message."""
    try:
        return True, write(action, *args, needs=needs)
    except DataopsError as error:
        st.error(f"Not saved: {error_text(error, show_server_details=ui.viewer_is_owner())}")
        return False, None


def show_problems(problems: list[Problem], what: str) -> None:
    if problems:
        st.error(f"{len(problems)} problem(s) in the {what}; fix them before saving:")
        table(problems_frame(problems, CONTROLS), name=f"{what}_problems")


def phases_section(goal_id: str, months, author: str) -> list[str]:
    """The phases editor and its save; returns the saved phases' ids."""
    st.subheader("Phases")
    st.caption("Consecutive months with one main task; together they cover the goal's months.")
    stored = read(load_phases, goal_id)
    options = month_labels(months)
    edited = st.data_editor(
        view.phases_editor_frame(stored),
        key=f"phases-editor-phases-{goal_id}",
        num_rows="dynamic",
        hide_index=True,
        column_config={
            "phase": st.column_config.TextColumn(required=True, help="A short id, e.g. Q1"),
            "start": st.column_config.SelectboxColumn(options=options, required=True),
            "end": st.column_config.SelectboxColumn(options=options, required=True),
            "main_task": st.column_config.TextColumn("main task", width="large"),
        },
    )
    download_csv(edited, name=f"{goal_id}_phases", label="Download phases CSV")
    phases, problems = view.phases_from_editor(edited, months)
    if edited.is_empty() and stored.is_empty():
        st.info("No phases yet: add one row per phase (its months and its one main task).")
    else:
        show_problems(problems, "phases")
    changed = phases is not None and not phases.equals(stored)
    ready = changed and bool(author) and allowed(Action.EDIT_PHASES)
    if st.button("Save phases", key="phases-save-phases", disabled=not ready) and ready:
        ok, dropped = attempt(Action.EDIT_PHASES, save_phases, goal_id, phases, author)
        said = [("success", f"Phases of {goal_id} saved by {author}.")]
        if ok and not dropped.is_empty():
            gone = ", ".join(sorted(set(dropped["phase"])))
            said.append(("info", f"Assignments of removed phases ({gone}) were dropped."))
        if ok:
            finish("phases", said)
    return stored["phase"].to_list()


def assignments_section(goal_id: str, phase_ids: list[str], author: str) -> None:
    st.subheader("Assignments")
    st.caption("Each team's share of a phase's gap, and the indicator it is watched on.")
    if not phase_ids:
        st.info("Save the phases first: assignments give each phase's teams their share.")
        return
    stored = read(load_assignments, goal_id)
    teams = sorted(set(read(load_teams)) - {UNASSIGNED})
    metrics = list(read(load_metrics))
    edited = st.data_editor(
        view.assignments_editor_frame(stored),
        key=f"phases-editor-assignments-{goal_id}",
        num_rows="dynamic",
        hide_index=True,
        column_config={
            "phase": st.column_config.SelectboxColumn(options=phase_ids, required=True),
            "team": st.column_config.SelectboxColumn(options=teams, required=True),
            "share_percent": st.column_config.NumberColumn(
                "share (%)", min_value=0.0, max_value=100.0, format="%.2f%%", required=True
            ),
            "indicator": st.column_config.SelectboxColumn(options=metrics, required=True),
        },
    )
    download_csv(edited, name=f"{goal_id}_assignments", label="Download assignments CSV")
    totals = view.share_totals(edited)
    st.markdown(
        "Shares per phase (each must be 100%): "
        + " ".join(
            f":{'green' if whole else 'red'}-badge[{md_text(phase)}: {format_share(share)} "
            f"{'✓' if whole else '✗'}]"
            for phase, share, whole in totals.select("phase", "share", "whole").rows()
        )
    )
    assignments, problems = view.assignments_from_editor(
        edited, phase_ids, set(teams), set(metrics), stored
    )
    show_problems(problems, "assignments")
    changed = assignments is not None and not assignments.equals(stored)
    ready = changed and bool(author) and allowed(Action.EDIT_ASSIGNMENTS)
    clicked = st.button("Save assignments", key="phases-save-assignments", disabled=not ready)
    saving = (Action.EDIT_ASSIGNMENTS, save_assignments, goal_id, assignments, author)
    if clicked and ready and attempt(*saving)[0]:
        finish("phases", [("success", f"Assignments of {goal_id} saved by {author}.")])


def team_targets_section(goal_id: str, metric: Metric) -> None:
    st.subheader("Each team's target per phase")
    st.caption(
        "Team target = its natural baseline over the phase + its share of the phase's gap "
        "(target - natural). An indicator other than the goal metric gets the same relative "
        "uplift the team needs on the goal metric."
    )
    targets = read(load_team_phase_targets, goal_id)
    if targets.is_empty():
        st.info(
            "Team targets appear once the goal has monthly targets, phases, assignments and a "
            "frozen natural baseline (fit it on the Goals page)."
        )
        st.page_link("app_pages/goals.py", label="Goals", icon=":material/flag:")
        return
    number, value = st.column_config.NumberColumn, number_format(metric)
    config = {
        "share": number(format="percent"),
        "natural": number(format=value),
        "share_of_gap": number("share of gap", format=value, help="What the team must add"),
        "target": number(format=value),
        "indicator_natural": number("indicator natural", format="localized"),
        "indicator_target": number("indicator target", format="localized"),
    }
    table(view.team_targets_table(targets), name=f"{goal_id}_team_targets", column_config=config)


def shortfall_section(goal_id: str, author: str, metric: Metric) -> None:
    st.subheader("Shortfalls")
    shortfalls = read(load_phase_shortfalls, goal_id)
    money = st.column_config.NumberColumn(format=number_format(metric))
    table(
        view.shortfall_table(shortfalls),
        name=f"{goal_id}_phase_shortfalls",
        column_config={"target": money, "actual": money, "shortfall": money},
        empty="No phase has monthly targets to measure yet.",
    )
    if shortfalls.is_empty():
        return
    eligible = view.respreadable(shortfalls)
    if not eligible:
        st.caption("No ended phase is short of its target with a phase after it.")
        return
    phase = st.selectbox("A phase that ended short", eligible, key="phases-respread-phase")
    short = shortfalls.filter(phase=phase).row(0, named=True)["shortfall"]
    may = allowed(Action.EDIT_PHASES)
    if st.button("Re-spread over the remaining phases", key="phases-respread", disabled=not may):
        st.session_state[CONFIRM] = phase
    if st.session_state.get(CONFIRM) != phase:
        return
    with st.container(border=True):
        missed = format_value(short, metric.unit, kind=metric.kind)
        st.warning(
            f"Phase {md_text(phase)} ended {md_text(missed)} short. Re-spreading sets its months' "
            "targets to their actuals (marked as set by hand) and raises every later month not "
            "set by hand by one factor, so the months still add up to the goal's target. The "
            "change is recorded in the goal's history."
        )
        yes, no = st.columns(2)
        if no.button("Cancel", key="phases-respread-no"):
            st.session_state.pop(CONFIRM, None)
            st.rerun()
        clicked = yes.button("Re-spread", type="primary", key="phases-respread-yes")
        if clicked and attempt(Action.EDIT_PHASES, respread_from_phase, goal_id, phase, author)[0]:
            said = f"Phase {phase}'s shortfall re-spread over the later months by {author}."
            finish("phases", [("success", said)])


st.title("Phases")
st.caption(
    "Split the goal into phases with one main task each, give every team its share of each "
    "phase's gap, and see the target that follows for each team."
)
show_flash("phases")
if current_goal() is None:
    require_goal()
goal_id = current_goal()
try:
    goal = read(load_goal, goal_id)
except DataopsError as error:
    st.error(error_text(error, show_server_details=ui.viewer_is_owner()))
    st.stop()
metric = read(load_metrics)[goal.metric]
author = author_input("phases")
if not allowed(Action.EDIT_PHASES):
    st.caption("Read-only: only an owner sets phases and assignments.")
phase_ids = phases_section(goal_id, goal_months(goal.start_day, goal.end_day), author)
assignments_section(goal_id, phase_ids, author)
team_targets_section(goal_id, metric)
shortfall_section(goal_id, author, metric)
