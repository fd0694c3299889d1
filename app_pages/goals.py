"""Goals: agree a goal, split it into months with a live preview, set months by hand, see history.

The page lays out the form (`ui.goal_form`), the preview (`ui.goals_view`) and the writes
(`ui.goal_saving`, through `workflows.goals`).

Nothing is written until Save; replacing a saved goal asks for confirmation first and shows what
changes. The only model fitting the app starts is the save that freezes a goal's natural baseline
(in worker processes, with progress), never a page load.
"""

from __future__ import annotations

import polars as pl
import streamlit as st

import ui
from metrics.access.roles import Action
from metrics.forecasts.reads import festival_windows
from metrics.plan.decomposition import Method
from metrics.plan.goals import find_goal, goal_changes, load_tactics, monthly_targets
from metrics.store.catalog import load_metrics
from metrics.store.errors import DataopsError
from ui import goal_changes as changes
from ui import goals_view as view
from ui.access_view import allowed
from ui.context import GOAL_KEY, current_goal
from ui.formatting import format_value
from ui.goal_form import explain_baseline, goal_form, show_preview, tactics_editor
from ui.goal_saving import CONFIRM, confirm_replace, fit_pending, months_by_hand, save
from ui.plan_session import author_input, show_flash
from ui.store_access import read
from ui.text import error_text, md_text
from ui.widgets import table

MODE = "goals-mode"


def open_goal(goal_id: str) -> None:
    st.session_state[GOAL_KEY], st.session_state[MODE] = goal_id, "edit"


st.title("Goals")
st.caption(
    "Agree the company goal, split it into monthly targets that follow the tactics, and keep "
    "every change on record."
)
if opened := show_flash("goals"):
    st.button(f"Work on {md_text(opened)}", key="goals-open", on_click=open_goal, args=(opened,))
catalogue = read(load_metrics)
if not catalogue:
    st.info("No metrics yet: a goal is set on a metric of the catalogue. Import metrics first.")
    st.page_link("app_pages/data.py", label="Import data", icon=":material/database:")
    st.stop()

author = author_input("goals")
selected = current_goal()
modes = {"edit": f"Edit {selected}"} if selected else {}
modes["new"] = "Create a new goal"
if st.session_state.get(MODE) not in modes:
    st.session_state[MODE] = next(iter(modes))
mode = st.radio(
    "Goal", list(modes), format_func=lambda m: md_text(modes[m]), horizontal=True, key=MODE
)
defaults = read(find_goal, selected) if mode == "edit" else None
scope = f"goals-{mode}-{selected}" if defaults else "goals-new"
goal = goal_form(defaults, catalogue, scope)
if goal is None:
    st.info("Enter the target to see the monthly targets it gives.")
    st.stop()
try:
    inputs = read(view.preview_inputs, goal.id, goal.metric, goal.start_day, goal.end_day)
except DataopsError as error:
    st.error(error_text(error, show_server_details=ui.viewer_is_owner()))
    st.stop()
metric = catalogue[goal.metric]
if references := view.reference_values(inputs):
    said = (f"{k} {format_value(v, metric.unit, kind=metric.kind)}" for k, v in references.items())
    st.caption(md_text("For reference, over the same months: " + " · ".join(said)))

saved = read(find_goal, goal.id) if goal.id else None  # a new goal may reuse a saved id
saved_targets = read(monthly_targets, goal.id) if saved else pl.DataFrame()
stored_tactics = read(load_tactics, goal.id) if saved else pl.DataFrame()
tactics = None
if goal.method is Method.TACTIC:
    rows = (
        view.tactics_editor_frame(stored_tactics)
        if not stored_tactics.is_empty()
        else view.default_tactics(inputs.months, read(festival_windows))
    )
    key = f"goals-editor-tactics-{scope}-{goal.start_day}-{goal.end_day}"
    tactics = tactics_editor(rows, inputs, key)
overrides = view.stored_overrides(saved_targets) if saved else view.NO_OVERRIDES
clear = not overrides.is_empty() and st.checkbox(
    f"Clear the {overrides.height} month(s) set by hand",
    key=f"{scope}-clear",
    help="Otherwise they are kept, and the other months are re-spread around them.",
)

st.subheader("Monthly targets (preview)")
fit = goal.method.needs_baseline and inputs.natural is None
preview, blocked = None, goal.method is Method.TACTIC and tactics is None
if fit:
    explain_baseline(goal, inputs)
elif not blocked:
    try:
        kept = view.NO_OVERRIDES if clear else overrides
        preview = view.preview_targets(inputs, goal.method, goal.target, tactics, kept)
        show_preview(preview, metric)
    except DataopsError as error:
        shown = error_text(error, show_server_details=ui.viewer_is_owner())
        st.error(f"These inputs give no monthly targets: {shown}")
        blocked = True
if (outside := view.overrides_outside(overrides, inputs.months)) and not clear:
    st.warning(
        f"Months set by hand fall outside the new period ({', '.join(outside)}): clear them "
        "(box above) or keep those months in the period."
    )
    blocked = True
if not (may_edit := allowed(Action.EDIT_GOAL)):
    st.caption("Read-only: only an owner agrees goals and their monthly targets.")
if not goal.id:
    st.warning("Give the goal an id (e.g. gmv_2026) to save it.")

changed = changes.has_changes(saved, goal, tactics, stored_tactics, clear)
# A saved goal without a baseline (waiting for one, or split without one) can get it here: the
# contribution pages measure against it, and this is where the app makes it.
unfitted = saved is not None and not inputs.baseline_frozen
fit_only = saved is not None and not changed and (fit or unfitted)
if fit_only and not fit:
    st.info(
        f"Goal {saved.id} has no natural baseline yet: contributions on the Overview, Team "
        "review and Review meeting are measured against it. **Fit the natural baseline** fits "
        "it (a minute or more; progress is shown); the monthly targets stay as they are."
    )
if saved is not None and not changed and not fit_only:
    st.caption("No changes to save.")
label = "Save goal" if not fit else "Save and fit the natural baseline"
label = "Fit the natural baseline" if fit_only else label
ready = (changed or fit_only) and not blocked and bool(author and goal.id) and may_edit
request = changes.request_key(goal, tactics, clear)
if st.button(label, type="primary", key="goals-save", disabled=not ready):
    if fit_only:
        fit_pending(goal.id, author)
    elif saved is None:
        save(goal, author, tactics, clear, fit and inputs.baseline_frozen)
    else:
        st.session_state[CONFIRM] = request  # nothing saved is replaced without a second click
confirming = saved is not None and ready and st.session_state.get(CONFIRM) == request
if confirming and confirm_replace(saved, goal, saved_targets, preview, clear):
    save(goal, author, tactics, clear, fit and inputs.baseline_frozen)

if saved is not None:
    if not saved_targets.is_empty():
        months_by_hand(saved, saved_targets, author)
    st.subheader("Change history")
    table(changes.history_table(read(goal_changes, saved.id)), name=f"{saved.id}_history")
