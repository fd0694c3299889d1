"""Goals: agree a goal, split it into months with a live preview, set months by hand, see history.

Nothing is written until Save; replacing a saved goal asks for confirmation first and shows what
changes. The only model fitting the app starts is the save that freezes a goal's natural baseline
(in worker processes, with progress), never a page load.
"""

from __future__ import annotations

import datetime as dt

import polars as pl
import streamlit as st

import ui
from metrics.forecasts.reads import festival_windows
from metrics.plan.decomposition import Method
from metrics.plan.edits import override_month, redecompose, set_goal
from metrics.plan.goals import Goal, find_goal, goal_changes, load_tactics, monthly_targets
from metrics.store.catalog import Metric, MetricKind, load_metrics
from metrics.store.errors import DataopsError, problems_frame
from ui import goals_view as view
from ui.context import GOAL_KEY, current_goal
from ui.formatting import format_value
from ui.goals_charts import monthly_targets_chart
from ui.store_access import read, store_path, write
from ui.text import error_text, md_code, md_text
from ui.widgets import download_csv, table

METHODS = {
    Method.EVEN: "Even: by days in month",
    Method.LAST_YEAR: "Last year: last year's monthly shape",
    Method.NATURAL: "Natural: the shape of the natural forecast",
    Method.TACTIC: "Tactics: natural baseline + the gap spread by tactic weights",
}
CONFIRM, MODE = "goals-confirm", "goals-mode"


def open_goal(goal_id: str) -> None:
    st.session_state[GOAL_KEY], st.session_state[MODE] = goal_id, "edit"


def goal_form(defaults: Goal | None, catalogue: dict[str, Metric], scope: str) -> Goal | None:
    """The goal as the widgets hold it (None until a target is given)."""
    metrics, methods, year = list(catalogue), list(Method), dt.date.today().year
    left, right = st.columns(2)
    goal_id = left.text_input(
        "Goal id",
        value=defaults.goal if defaults else "",
        key=f"{scope}-id",
        disabled=defaults is not None,
        placeholder="e.g. gmv_2026",
        help="A short id without spaces: links and the command line use it.",
    )
    name = right.text_input("Name", value=defaults.name if defaults else "", key=f"{scope}-name")
    metric_id = left.selectbox(
        "Metric",
        metrics,
        index=metrics.index(defaults.metric) if defaults else 0,
        format_func=lambda m: f"{catalogue[m].name} ({m}: {catalogue[m].kind})",
        key=f"{scope}-metric",
    )
    method = right.selectbox(
        "Decomposition method",
        methods,
        index=methods.index(defaults.method) if defaults else 0,
        format_func=METHODS.get,
        key=f"{scope}-method",
    )
    start = left.date_input(
        "Start", value=defaults.start_day if defaults else dt.date(year, 1, 1), key=f"{scope}-start"
    )
    end = right.date_input(
        "End", value=defaults.end_day if defaults else dt.date(year, 12, 31), key=f"{scope}-end"
    )
    metric = catalogue[metric_id]
    ratio = metric.kind is MetricKind.RATIO
    target = st.number_input(
        f"Target: {md_text(view.target_meaning(metric))}",
        value=defaults.target if defaults else None,
        step=0.001 if ratio else 1.0,
        format="%.4f" if ratio else "%.0f",
        key=f"{scope}-target",
    )
    if target is None:
        return None
    st.caption(md_text(f"= {format_value(target, metric.unit, kind=metric.kind)}"))
    goal_id = goal_id.strip()  # an empty name is saved as the id, so compare it that way
    return Goal(goal_id, name.strip() or goal_id, metric_id, start, end, float(target), method)


def tactics_editor(rows: pl.DataFrame, inputs: view.PreviewInputs, key: str) -> pl.DataFrame | None:
    """Tactic weights (month x tactic); None while they have problems (shown with their fix)."""
    st.markdown("**Tactic weights**: the gap goes to the months in proportion to their weight.")
    edited = st.data_editor(
        rows,
        key=key,
        num_rows="dynamic",
        hide_index=True,
        column_config={
            "month": st.column_config.SelectboxColumn(
                options=view.month_labels(inputs.months), required=True
            ),
            "tactic": st.column_config.TextColumn(required=True),
            "weight": st.column_config.NumberColumn(min_value=0.0, format="%.2f"),
        },
    )
    download_csv(edited, name="tactics", label="Download tactics CSV")
    tactics, problems = view.tactics_from_editor(edited, inputs.months)
    if problems:
        st.error("Fix the tactic weights first (the preview and Save wait for them):")
        table(problems_frame(problems), name="tactics_problems")
    return tactics


def explain_baseline(goal: Goal, inputs: view.PreviewInputs) -> None:
    if inputs.baseline_frozen:
        st.warning(
            f"The natural baseline frozen for {md_code(goal.goal)} does not fit these inputs: "
            f"{md_text(inputs.natural_problem)}. Saving re-fits it (the old one is kept for "
            "audit)."
        )
        return
    command = md_code(f"dataops forecast --goal {goal.goal or 'ID'}")
    st.info(
        f"Method {goal.method} needs the goal's natural baseline: a forecast of each team's "
        "series without operations pushes, fitted on the data before the start. None is frozen "
        "for this goal yet, so there is no preview. Saving fits it (a minute or more; progress "
        "is shown), then splits the goal into months. From a terminal: "
        f"{command}, or see the Forecasts page."
    )


def show_preview(preview: pl.DataFrame, metric: Metric) -> None:
    shown = view.preview_table(preview)
    money = st.column_config.NumberColumn(format=view.number_format(metric))
    config = {"natural": money, "target": money, "above_natural": money}
    config["above_natural"] = st.column_config.NumberColumn(
        "above natural", format=view.number_format(metric), help="Target - natural baseline"
    )
    config["set_by_hand"] = st.column_config.CheckboxColumn("set by hand")
    table(shown, name="monthly_targets_preview", column_config=config)
    chart = monthly_targets_chart(shown, metric.unit, ratio=metric.kind is MetricKind.RATIO)
    st.plotly_chart(chart, theme="streamlit", key="goals-preview-chart")


def fit_baseline(goal_id: str, author: str, refit: bool) -> list[tuple[str, str]]:
    """Freeze the goal's natural baseline with a progress bar, then split it into months."""
    from forecasting import runner  # here: only this action needs Prophet, which is slow to load

    bar = st.progress(0.0, text="Fitting the natural baseline…")

    def progress(done: int, total: int, label: str) -> None:
        bar.progress(done / total if total else 1.0, text=f"Fitted {done} of {total}: {label}")

    report = runner.freeze_goal_baseline(store_path(), goal_id, rebaseline=refit, progress=progress)
    bar.empty()
    said = [("success", f"Natural baseline frozen: {report.summary()}.")]
    if report.failed:
        failed = ", ".join(f"{item.label} ({item.reason})" for item in report.failed)
        said.append(("warning", f"These series could not be fitted: {failed}."))
    try:
        saved = write(redecompose, goal_id, author)
    except DataopsError as error:
        shown = error.public if not ui.viewer_is_owner() else str(error)
        return [*said, ("error", f"{goal_id} is saved, but its monthly targets are not: {shown}")]
    notes = [("info", text) for text in view.sentences(saved.messages)]
    return [*said, ("success", f"Monthly targets of {goal_id} saved."), *notes]


def save(
    goal: Goal, author: str, tactics: pl.DataFrame | None, clear: bool, fit: bool, refit: bool
) -> None:
    """Save the goal; when `fit`, it waits (pending) while its baseline is fitted, then is split.
    `refit` replaces a frozen baseline that does not fit the goal's new period or metric."""
    try:
        saved = write(
            set_goal,
            goal,
            author,
            tactics=tactics if goal.method is Method.TACTIC else None,
            clear_overrides=clear,
            decompose=not fit,
        )
        said = [("success", f"Goal {goal.goal} saved by {author}.")]
        said += [("info", text) for text in view.sentences(saved.messages)]
        if fit:
            said += fit_baseline(goal.goal, author, refit)
    except DataopsError as error:  # ValidationFailed lists every problem with its fix
        st.error(f"Not saved: {error_text(error, show_server_details=ui.viewer_is_owner())}")
        return
    view.finish("goals", said, opened=goal.goal if current_goal() != goal.goal else None)


def fit_pending(goal_id: str, author: str) -> None:
    """A saved goal waiting for its baseline: fit it and split the goal, nothing else changes."""
    try:
        said = fit_baseline(goal_id, author, refit=False)
    except DataopsError as error:
        st.error(f"Not fitted: {error_text(error, show_server_details=ui.viewer_is_owner())}")
        return
    view.finish("goals", said)


def confirm_replace(
    saved: Goal, goal: Goal, before: pl.DataFrame, after: pl.DataFrame | None, clear: bool
) -> bool:
    """What replacing the saved goal changes; True when the user confirms."""
    with st.container(border=True):
        st.warning(
            f"Goal {md_code(saved.goal)} exists (last changed by {md_text(saved.updated_by)}). "
            "Saving replaces it; what it was stays in its change history."
        )
        changes = view.definition_changes(saved, goal)
        table(changes, name=f"{goal.goal}_changes", empty="The definition does not change.")
        if after is None:
            st.info("The monthly targets are split again once the natural baseline is fitted.")
        else:
            money = st.column_config.NumberColumn(format=view.number_format(metric_of(goal)))
            table(
                view.month_differences(before, after),
                name=f"{goal.goal}_month_changes",
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
    frame = view.month_editor_frame(targets)
    edited = st.data_editor(
        frame,
        key=f"goals-editor-months-{saved.goal}",
        hide_index=True,
        disabled=["month", "method_target"],
        column_config={
            "method_target": st.column_config.NumberColumn("from the method", format=money),
            "target": st.column_config.NumberColumn("target", format=money),
            "set_by_hand": "set by hand",
        },
    )
    download_csv(frame, name=f"{saved.goal}_monthly_targets")
    edits = view.month_edits(targets, edited)
    if not st.button(f"Save {len(edits)} month(s)", disabled=not edits, key="goals-months-save"):
        return
    try:
        for edit in edits:
            result = write(override_month, saved.goal, edit.month, edit.target, author, edit.note)
    except DataopsError as error:
        st.error(f"Not saved: {error_text(error, show_server_details=ui.viewer_is_owner())}")
        return
    said = [("success", f"{len(edits)} month(s) of {saved.goal} saved by {author}.")]
    view.finish("goals", said + [("info", text) for text in view.sentences(result.messages)])


st.title("Goals")
st.caption(
    "Agree the company goal, split it into monthly targets that follow the tactics, and keep "
    "every change on record."
)
if opened := view.show_flash("goals"):
    st.button(f"Work on {md_text(opened)}", key="goals-open", on_click=open_goal, args=(opened,))
catalogue = read(load_metrics)
if not catalogue:
    st.info("No metrics yet: a goal is set on a metric of the catalogue. Import metrics first.")
    st.page_link("app_pages/data.py", label="Import data", icon=":material/database:")
    st.stop()

author = view.author_input("goals")
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
    inputs = read(view.preview_inputs, goal.goal, goal.metric, goal.start_day, goal.end_day)
except DataopsError as error:
    st.error(error_text(error, show_server_details=ui.viewer_is_owner()))
    st.stop()
metric = catalogue[goal.metric]
if references := view.reference_values(inputs):
    said = (f"{k} {format_value(v, metric.unit, kind=metric.kind)}" for k, v in references.items())
    st.caption(md_text("For reference, over the same months: " + " · ".join(said)))

saved = read(find_goal, goal.goal) if goal.goal else None  # a new goal may reuse a saved id
saved_targets = read(monthly_targets, goal.goal) if saved else pl.DataFrame()
stored_tactics = read(load_tactics, goal.goal) if saved else pl.DataFrame()
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
if not author:
    st.warning("Type your name at the top: it is recorded with every change.")
if not goal.goal:
    st.warning("Give the goal an id (e.g. gmv_2026) to save it.")

changed = view.has_changes(saved, goal, tactics, stored_tactics, clear)
fit_only = saved is not None and not changed and fit  # a saved goal waiting for its baseline
if saved is not None and not changed and not fit:
    st.caption("No changes to save.")
label = "Save goal" if not fit else "Save and fit the natural baseline"
label = "Fit the natural baseline" if fit_only else label
ready = (changed or fit_only) and not blocked and bool(author and goal.goal)
request = view.request_key(goal, tactics, clear)
if st.button(label, type="primary", key="goals-save", disabled=not ready):
    if fit_only:
        fit_pending(goal.goal, author)
    elif saved is None:
        save(goal, author, tactics, clear, fit, inputs.baseline_frozen)
    else:
        st.session_state[CONFIRM] = request  # nothing saved is replaced without a second click
confirming = saved is not None and ready and st.session_state.get(CONFIRM) == request
if confirming and confirm_replace(saved, goal, saved_targets, preview, clear):
    save(goal, author, tactics, clear, fit, inputs.baseline_frozen)

if saved is not None:
    if not saved_targets.is_empty():
        months_by_hand(saved, saved_targets, author)
    st.subheader("Change history")
    table(view.history_table(read(goal_changes, saved.goal)), name=f"{saved.goal}_history")
