"""The Goals page's form: the goal's fields, the tactic weights editor, and the preview of the
monthly targets they give (or why there is none yet). Widgets only; the frames come from
`ui.goals_view`.
"""

from __future__ import annotations

import datetime as dt

import polars as pl
import streamlit as st

from metrics.plan.decomposition import Method
from metrics.plan.goals import Goal
from metrics.store.catalog import Metric, MetricKind
from metrics.store.errors import problems_frame
from ui import goals_view as view
from ui.formatting import format_value
from ui.goals_charts import monthly_targets_chart
from ui.text import md_code, md_text
from ui.widgets import download_csv, table
from ui.words import CONTROLS

METHODS = {
    Method.EVEN: "Even: by days in month",
    Method.LAST_YEAR: "Last year: last year's monthly shape",
    Method.NATURAL: "Natural: the shape of the natural forecast",
    Method.TACTIC: "Tactics: natural baseline + the gap spread by tactic weights",
}


def goal_form(defaults: Goal | None, catalogue: dict[str, Metric], scope: str) -> Goal | None:
    """The goal as the widgets hold it (None until a target is given)."""
    metrics, methods, year = list(catalogue), list(Method), dt.date.today().year
    left, right = st.columns(2)
    goal_id = left.text_input(
        "Goal id",
        value=defaults.id if defaults else "",
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
        table(problems_frame(problems, CONTROLS), name="tactics_problems")
    return tactics


def explain_baseline(goal: Goal, inputs: view.PreviewInputs) -> None:
    if inputs.baseline_frozen:
        st.warning(
            f"The natural baseline frozen for {md_code(goal.id)} does not fit these inputs: "
            f"{md_text(inputs.natural_problem)}. Saving re-fits it (the old one is kept for "
            "audit)."
        )
        return
    st.info(
        f"Method {goal.method} needs the goal's natural baseline: a forecast of each team's "
        "series without operations pushes, fitted on the data before the start. None is frozen "
        "for this goal yet, so there is no preview. Saving fits it (a minute or more; progress "
        "is shown), then splits the goal into months."
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
