"""Review meeting: the rollup from small to large, the problems teams raised, and the pack."""

from __future__ import annotations

import streamlit as st

from metrics.store.catalog import load_metrics
from ui import digest_view
from ui import meeting_agenda as agenda
from ui import meeting_pack as pack
from ui import overview_view as view
from ui.context import require_goal
from ui.store_access import read
from ui.text import md_code, md_text
from ui.widgets import table

st.title("Review meeting")
goal_id, as_of = require_goal()
report = view.report_or_stop(goal_id, as_of)
checkins = read(pack.goal_checkins, goal_id)
catalogue = read(load_metrics)
rollup = pack.rollup_table(report, checkins)
goal = report.goal

st.caption(
    f"{md_text(goal.name or goal.id)} ({md_code(goal.id)}), {goal.start_day} to "
    f"{goal.end_day}, as of "
    f"**{report.as_of}**. Read from small to large: each department's teams, the department, "
    "then the company. Problems and next actions come from the teams' check-ins."
)

st.subheader("Goal and pace")
view.headline_tiles(report)

st.subheader("From small to large")
columns = view.number_columns(report)
for department in pack.rows_at(rollup, "department"):
    name = department["group"]
    label = f"{md_text(name)}: {pack.summary_line(report, department, view.status_markdown)}"
    with st.expander(label, expanded=department["status"] != "on_track"):
        teams = pack.department_teams(report, rollup, name)
        table(teams, name=f"review_{name}", column_config=columns)
        st.markdown(pack.team_notes(rollup, name))
for company in pack.rows_at(rollup, "company"):
    st.markdown(f"**Company**: {pack.summary_line(report, company, view.status_markdown)}")

st.subheader("Cooperation flags")
st.caption(view.FLAG_HELP)
flags = view.flag_table(report, catalogue)
table(
    flags,
    name="review_flags",
    empty="No cooperation flags: no team's gain is measured to cost another team or later weeks.",
)

st.subheader("Decisions to take")
st.markdown(agenda.decisions_markdown(report, rollup, flags))

st.subheader("Meeting pack")
st.caption(
    "The agenda as Markdown (goal and pace, landing, every department and team with status, "
    "contribution, problems and next actions, flags, decisions) and the rollup as CSV."
)
stem = f"review_{goal.id}_{report.as_of}"
left, right = st.columns(2)
left.download_button(
    "Download the agenda (Markdown)",
    data=lambda: agenda.meeting_markdown(report, checkins, catalogue).encode("utf-8"),
    file_name=f"{stem}.md",
    mime="text/markdown",
    key="review-meeting-markdown",
    icon=":material/description:",
    on_click="ignore",
)
right.download_button(
    "Download the rollup (CSV)",
    data=lambda: pack.meeting_csv(report, checkins),
    file_name=f"{stem}.csv",
    mime="text/csv",
    key="review-meeting-csv",
    icon=":material/download:",
    on_click="ignore",
)

if digest_view.may_send_digest():
    st.subheader("Send digest")
    st.caption(
        "The digest by e-mail: headline, every team with its uplift, status and what changed "
        "since the last digest sent, flags and late data, with links to each team's page. "
        "Below is exactly what will be sent, in both parts of the message."
    )
    digest_view.send_section(goal.id, report.as_of, report.teams["team"].sort().to_list())
