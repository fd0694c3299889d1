"""The Goals page's writes: saving a goal through `workflows.goals` (with a progress bar while
its baseline is fitted), confirming a replacement, and saving months set by hand. Each write
ends in `plan_session.finish`, which reruns the page and shows what was said.
"""

from __future__ import annotations

import polars as pl
import streamlit as st

import ui
from metrics.access.roles import Action
from metrics.plan.decomposition import Method
from metrics.plan.goals import Goal
from metrics.plan.months import override_month
from metrics.store.catalog import Metric, load_metrics
from metrics.store.errors import DataopsError
from ui import goal_changes as changes
from ui import goals_view as view
from ui.access_view import allowed
from ui.context import current_goal
from ui.plan_session import finish, sentences
from ui.store_access import authorised, read, store_path, write
from ui.text import error_text, md_code, md_text
from ui.widgets import download_csv, progress_bar, table
from ui.words import say
from workflows.goals import GoalOutcome, GoalState, fit_and_split, save_goal

CONFIRM = "goals-confirm"


def fit_said(outcome: GoalOutcome) -> list[tuple[str, str]]:
    """What fitting the baseline and splitting the goal did, in the page's words."""
    said = []
    if outcome.baseline is not None:
        said.append(("success", f"Natural baseline frozen: {outcome.baseline.summary()}."))
        if outcome.baseline.failed:
            failed = ", ".join(f"{i.label} ({i.reason})" for i in outcome.baseline.failed)
            said.append(("warning", f"These series could not be fitted: {failed}."))
    if outcome.problem is not None:
        return [*said, ("error", say(outcome.problem))]
    return [*said, ("success", f"Monthly targets of {outcome.goal_id} saved.")]


def save(goal: Goal, author: str, tactics: pl.DataFrame | None, clear: bool, refit: bool) -> None:
    """Save the goal; when its method needs a baseline that is not frozen (or `refit`: the frozen
    one does not fit the goal's new period or metric), it waits (pending) while its baseline is
    fitted, then is split."""
    try:
        authorised(Action.EDIT_GOAL)  # the workflow opens the store itself, so ask first
        if goal.method.needs_baseline:
            authorised(Action.REFIT)
        with progress_bar("Saving the goal…") as progress:
            outcome = save_goal(
                store_path(),
                goal,
                author,
                tactics=tactics if goal.method is Method.TACTIC else None,
                clear_overrides=clear,
                rebaseline=refit,
                progress=progress,
            )
    except DataopsError as error:  # ValidationFailed lists every problem with its fix
        st.error(f"Not saved: {error_text(error, show_server_details=ui.viewer_is_owner())}")
        return
    said = [("success", f"Goal {goal.id} saved by {author}.")]
    if outcome.state is not GoalState.SAVED:
        said += fit_said(outcome)
    said += [("info", text) for text in sentences(outcome.notes)]
    finish("goals", said, opened=goal.id if current_goal() != goal.id else None)


def fit_pending(goal_id: str, author: str) -> None:
    """A saved goal waiting for its baseline: fit it and split the goal, nothing else changes."""
    try:
        authorised(Action.REFIT)  # the workflow opens the store itself, so ask first
        authorised(Action.EDIT_GOAL)
        with progress_bar("Fitting the natural baseline…") as progress:
            outcome = fit_and_split(store_path(), goal_id, author, progress=progress)
    except DataopsError as error:
        st.error(f"Not fitted: {error_text(error, show_server_details=ui.viewer_is_owner())}")
        return
    finish("goals", fit_said(outcome) + [("info", t) for t in sentences(outcome.notes)])


def confirm_replace(
    saved: Goal, goal: Goal, before: pl.DataFrame, after: pl.DataFrame | None, clear: bool
) -> bool:
    """What replacing the saved goal changes; True when the user confirms."""
    with st.container(border=True):
        st.warning(
            f"Goal {md_code(saved.id)} exists (last changed by {md_text(saved.updated_by)}). "
            "Saving replaces it; "
            "what it was stays in its change history."
        )
        defined = changes.definition_changes(saved, goal)
        table(defined, name=f"{goal.id}_changes", empty="The definition does not change.")
        if after is None:
            st.info("The monthly targets are split again once the natural baseline is fitted.")
        else:
            money = st.column_config.NumberColumn(format=view.number_format(metric_of(goal)))
            table(
                changes.month_differences(before, after),
                name=f"{goal.id}_month_changes",
                column_config={"saved": money, "new": money, "change": money},
                empty="No month's target changes.",
            )
        if hand_set := view.month_labels(view.stored_overrides(before)):
            verb = "cleared (they stay in the history)" if clear else "kept"
            st.markdown(f"Months set by hand ({', '.join(hand_set)}) are {verb}.")
        yes, no = st.columns(2)
        if no.button("Cancel", key="goals-confirm-no"):
            st.session_state.pop(CONFIRM, None)
            st.rerun()
        return yes.button("Replace the saved goal", type="primary", key="goals-confirm-yes")


def metric_of(goal: Goal) -> Metric:
    return read(load_metrics)[goal.metric]


def months_by_hand(saved: Goal, targets: pl.DataFrame, author: str) -> None:
    st.subheader("Set months by hand")
    st.caption(
        "Change a month's target to set it by hand; tick *set by hand* to pin a month as it is, "
        "untick it to give the month back to the method. Saving re-spreads the other months by "
        "one factor, so the months still add up to the goal's target."
    )
    money = view.number_format(metric_of(saved), 2)
    frame = changes.month_editor_frame(targets)
    edited = st.data_editor(
        frame,
        key=f"goals-editor-months-{saved.id}",
        hide_index=True,
        disabled=["month", "method_target"],
        column_config={
            "method_target": st.column_config.NumberColumn("from the method", format=money),
            "target": st.column_config.NumberColumn("target", format=money),
            "set_by_hand": "set by hand",
        },
    )
    download_csv(frame, name=f"{saved.id}_monthly_targets")
    edits = changes.month_edits(targets, edited)
    may = allowed(Action.EDIT_GOAL)
    label = f"Save {len(edits)} month(s)"
    if not st.button(label, disabled=not (edits and may), key="goals-months-save"):
        return
    try:
        for edit in edits:
            result = write(override_month, saved.id, edit.month, edit.target, author, edit.note,
                           needs=Action.EDIT_GOAL)  # fmt: skip
    except DataopsError as error:
        st.error(f"Not saved: {error_text(error, show_server_details=ui.viewer_is_owner())}")
        return
    said = [("success", f"{len(edits)} month(s) of {saved.id} saved by {author}.")]
    finish("goals", said + [("info", text) for text in sentences(result.messages)])
