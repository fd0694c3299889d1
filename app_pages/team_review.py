"""Team review: one team's own page, read top to bottom at its regular check-in.

Its contribution to the company goal first, its own indicators second, then its initiatives'
measured uplift, its cooperation flags, its check-ins and a form to add one. `/team?team=ID`
opens a team directly and the selector keeps `?team=` in step, so the link can be shared.
"""

from __future__ import annotations

import streamlit as st

import ui
from metrics.access.roles import Action
from metrics.contribution import team_queries as tq
from metrics.contribution.report import ContributionReport, build_report
from metrics.plan.goals import Status
from metrics.store.catalog import MetricKind, load_metrics, load_teams
from metrics.store.errors import DataopsError, ValidationFailed
from ui import team_view as view
from ui.access_view import allowed, author
from ui.context import require_goal
from ui.formatting import format_share
from ui.freshness_view import stale_data_warning
from ui.overview_view import INTERVAL_HELP, STATUS_WORDS, status_badge
from ui.store_access import read
from ui.team_charts import team_vs_natural_figure
from ui.text import error_text, md_code, md_text
from ui.widgets import download_csv, table

TEAM_KEY, LAST_TEAM_KEY = "team_review-team", "team_review-last-team"
FORM_FIELDS = ("status", "notes", "problems", "next_actions")
SAVED_KEY, REFUSED_KEY = "team_review-saved", "team_review-refused"
DAY = st.column_config.DateColumn(format="YYYY-MM-DD")


def field_key(name: str) -> str:
    return f"team_review-{name}"


def choose_team(teams) -> str | None:
    """The team from `?team=` (a deep link), else the one last viewed, else the first."""
    ids = view.team_ids(teams)
    if not ids:
        st.info("No teams yet: import a teams file on the Data page, then come back.")
        st.stop()
    wanted = st.query_params.get("team")
    if wanted in ids:
        st.session_state[TEAM_KEY] = wanted
    elif wanted is not None:
        st.error(view.unknown_team_message(wanted, ids))
        st.session_state[TEAM_KEY] = None
    elif st.session_state.get(TEAM_KEY) not in ids:
        last = st.session_state.get(LAST_TEAM_KEY)
        st.session_state[TEAM_KEY] = last if last in ids else ids[0]
    team = st.selectbox(
        "Team", ids, index=None, key=TEAM_KEY, placeholder="Choose a team",
        format_func=lambda team: view.team_label(teams, team), on_change=_link_to_team,
    )  # fmt: skip
    if team is not None:
        st.session_state[LAST_TEAM_KEY] = team  # kept while the selector is off screen
        if st.query_params.get("team") != team:
            st.query_params["team"] = team
    return team


def _link_to_team() -> None:
    # runs before the rerun, so the URL already names the chosen team when the page reads it
    st.query_params["team"] = st.session_state[TEAM_KEY]


def contribution(report: ContributionReport, team: str, label: str) -> None:
    metric = report.metric
    st.subheader("1 · Contribution to the company goal")
    row = view.team_row(report.teams, team)
    if row is None:
        st.info(
            f"{md_text(label)} owns no part of {md_text(metric.name)}, so it adds nothing to "
            "measure here."
        )
        return
    per_day = " (per day)" if metric.kind is MetricKind.LEVEL else ""
    uplift, share, gap, target, pace, status = st.columns(6)
    uplift.metric(
        f"Uplift to date{per_day}",
        view.value_text(row["uplift"], metric),
        help=INTERVAL_HELP,
    )
    share.metric(
        "Share of uplift",
        format_share(row["share_of_uplift"]),
        help="This team's part of the company's uplift above natural growth, to date",
    )
    gap.metric(
        "Share of gap closed",
        format_share(row["share_of_gap"]),
        help="This team's uplift over the gap between target and natural growth, to date",
    )
    target.metric(f"Target to date{per_day}", view.value_text(row["target"], metric))
    pace.metric("Pace", format_share(row["pace"]), help="Actual to date / target to date")
    with status:
        st.markdown("Status")
        status_badge(row["status"])
    st.caption(
        f"Uplift = actual {view.value_text(row['actual'], metric)} − natural growth "
        f"{view.value_text(row['natural'], metric)}; {view.uplift_text(row, metric)}."
    )
    trend(report, team, label)


def trend(report: ContributionReport, team: str, label: str) -> None:
    grain = st.segmented_control(
        "Show", list(tq.Grain), default=tq.Grain.WEEK, key="team_review-grain", required=True,
        format_func=lambda grain: {"day": "Daily", "week": "Weekly"}[grain],
    )  # fmt: skip
    goal = report.goal
    frame = read(tq.team_vs_natural, goal.id, team, tq.Grain(grain), report.as_of)
    windows = read(tq.team_initiative_windows, team, goal.start_day, goal.end_day)
    figure = team_vs_natural_figure(
        frame, windows, metric=report.metric, team_name=label, as_of=report.as_of, per=grain
    )
    st.plotly_chart(figure, theme="streamlit", key="team_review-chart")
    st.caption("Shaded: the team's initiatives. Dotted line: the as-of day.")
    download_csv(frame, name=f"team_{team}_vs_natural_{grain}", label="Download chart data")


def indicators(report: ContributionReport, team: str, catalogue) -> None:
    st.subheader("2 · Its own indicators")
    row = view.team_row(report.teams, team)
    if row is not None and row["indicator"] is not None:
        st.metric(
            f"Pace on {md_text(row['indicator'])} (latest phase's indicator, to date)",
            format_share(row["indicator_pace"]),
        )
    standing = read(tq.indicator_standing, report.goal.id, team, report.as_of)
    table(
        view.indicator_table(standing, catalogue),
        name=f"team_{team}_indicators",
        empty="No phase assigns this team an indicator yet: set shares on the Phases page.",
        column_config={
            "share": st.column_config.NumberColumn("share of gap", format="percent"),
            "pace": st.column_config.NumberColumn(format="percent"),
            "from": DAY,
            "to": DAY,
            **{
                name: st.column_config.NumberColumn(format="compact")
                for name in ("phase target", "phase natural", "actual to date", "target to date")
            },
        },
    )


def initiatives(report: ContributionReport, team: str) -> None:
    st.subheader("3 · Its initiatives' measured uplift")
    intervals = read(tq.initiative_intervals, report.goal.id, team, report.as_of)
    shown = view.initiative_table(report.initiatives, intervals, team, report.metric.metric)
    money = {
        name: st.column_config.NumberColumn(format="compact") for name in view.INITIATIVE_AMOUNTS
    }
    table(
        shown,
        name=f"team_{team}_initiatives",
        empty="No initiatives of this team in the goal period so far.",
        column_config=money,
    )
    st.caption(
        "Each series' uplift is split over the initiatives running on it (non-negative, "
        "ridge-regularised); what they do not explain stays unattributed. In the metric's own "
        "unit; a level metric (DAU) per day."
    )


def flags(report: ContributionReport, team: str, catalogue) -> None:
    st.subheader("4 · Cooperation flags")
    names = view.initiative_names(report.initiatives)
    shown = view.flag_table(report.flags, team, names, catalogue)
    for sentence in shown["what happened"]:
        st.warning(md_text(sentence), icon=":material/handshake:")
    table(
        shown,
        name=f"team_{team}_flags",
        column_config={"from": DAY, "to": DAY},
        empty="No cooperation flags: no sign that this team's gains were another's losses.",
    )


def history(goal_id: str, team: str) -> None:
    st.subheader("5 · Check-ins")
    checkins = read(tq.team_checkins, goal_id, team)
    table(
        view.checkin_table(checkins),
        name=f"team_{team}_checkins",
        column_config={"when (UTC)": st.column_config.DatetimeColumn(format="YYYY-MM-DD HH:mm")},
        empty="No check-ins yet for this goal: add the first one below.",
    )


def checkin_form(goal_id: str, team: str) -> None:
    st.subheader("6 · Add a check-in")
    if saved := st.session_state.pop(SAVED_KEY, None):
        st.success(saved)
    if refused := st.session_state.pop(REFUSED_KEY, None):
        st.error(f"Not saved: nothing was written.\n\n{refused}")
    if not allowed(Action.ADD_CHECKIN, team):
        st.caption(f"Only the owner and {team}'s team leads add its check-ins.")
        return
    with st.form("team_review-checkin"):
        st.caption(f"Saved as **{md_text(author())}**.")
        st.radio(
            "Status", list(Status), index=None, key=field_key("status"), horizontal=True,
            format_func=STATUS_WORDS.get,
        )  # fmt: skip
        st.text_area("Notes", key=field_key("notes"))
        st.text_area("Problems", key=field_key("problems"), help="Needed when at or off track.")
        st.text_area("Next actions", key=field_key("next_actions"))
        st.form_submit_button("Save check-in", type="primary", on_click=save, args=(goal_id, team))


def save(goal_id: str, team: str) -> None:
    """The form's callback: runs before the rerun, so it may clear the fields it saved."""
    values = {name: st.session_state.get(field_key(name)) or "" for name in FORM_FIELDS}
    values["author"] = author()
    try:
        view.save_checkin(view.CheckinDraft(team=team, goal_id=goal_id, **values))
    except ValidationFailed as error:
        st.session_state[REFUSED_KEY] = view.refusal_text(error)
        return
    except DataopsError as error:  # the store busy or gone: say so, keep what was typed
        st.session_state[REFUSED_KEY] = error_text(error, show_server_details=ui.viewer_is_owner())
        return
    who = md_text(values["author"].strip())
    st.session_state[SAVED_KEY] = f"Check-in saved for {md_code(team)} by {who}."
    for name in FORM_FIELDS:
        st.session_state[field_key(name)] = None if name == "status" else ""


st.title("Team review")
goal_id, as_of = require_goal()
stale_data_warning(goal_id)
teams = read(load_teams)
team = choose_team(teams)
if team is None:
    st.stop()
label = view.team_label(teams, team)
try:
    report = read(build_report, goal_id, as_of)
except DataopsError as error:
    details = error_text(error, show_server_details=ui.viewer_is_owner())
    st.error(f"The contribution can't be measured yet: {details}")
    report = None
if report is not None:
    catalogue = read(load_metrics)
    contribution(report, team, label)
    indicators(report, team, catalogue)
    initiatives(report, team)
    flags(report, team, catalogue)
history(goal_id, team)
checkin_form(goal_id, team)
