"""Overview: the company goal at a glance, and what each team adds to it above natural growth."""

from __future__ import annotations

import streamlit as st

from metrics.contribution.bands import natural_band
from metrics.store.catalog import load_metrics
from ui import overview_charts as charts
from ui import overview_view as view
from ui.context import require_goal
from ui.freshness_view import stale_data_warning
from ui.store_access import read
from ui.text import md_code, md_text
from ui.widgets import table

st.title("Overview")
goal_id, as_of = require_goal()
stale_data_warning(goal_id)
report = view.report_or_stop(goal_id, as_of)
goal, metric = report.goal, report.metric

st.subheader(md_text(goal.name or goal.id))
st.caption(
    f"Goal {md_code(goal.id)} · {md_text(metric.name)} ({metric.kind.value}"
    f"{', ' + md_text(metric.unit) if metric.unit else ''}) · {goal.start_day} to "
    f"{goal.end_day} · as of **{report.as_of}**"
)

view.headline_tiles(report)
st.caption(view.run_rate_note(report))

axis = charts.axis_style(metric.unit, metric.kind.value)
st.subheader("Actual, target and natural baseline")
band = read(natural_band, goal.id)
st.plotly_chart(
    charts.running_chart(report.running, band, report.as_of, charts.running_label(report), axis),
    theme="streamlit",
    key="overview-running",
)

st.subheader("From natural growth to the actual, by team")
st.caption(
    "Each team's uplift to date (actual minus its natural baseline) carries the company from "
    "its natural baseline to its actual; the last bars are what is still missing to reach the "
    "target to date. The axis does not start at zero, so the uplifts can be seen."
)
st.plotly_chart(
    charts.waterfall_chart(charts.waterfall_frame(report), axis),
    theme="streamlit",
    key="overview-waterfall",
)

st.subheader("Teams")
st.caption(view.INTERVAL_HELP)
columns = view.number_columns(report)
table(view.team_table(report), name="overview_teams", column_config=columns)
st.subheader("Departments")
table(view.department_table(report), name="overview_departments", column_config=columns)

st.subheader("Cooperation flags")
st.caption(view.FLAG_HELP)
table(
    view.flag_table(report, read(load_metrics)),
    name="overview_flags",
    empty="No cooperation flags: no team's gain is measured to cost another team or later weeks.",
)
