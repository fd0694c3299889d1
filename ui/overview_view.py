"""What the Overview and Review meeting pages show of a report: tiles, tables, flags in words,
statuses, number formats, and the report itself (or the empty state that says what to do).

Each function turns a `ContributionReport` (from `metrics.contribution.report.build_report`)
into what a page shows; none of them measures anything itself. Statuses are always a word with
a mark (and a colour where the element has one), so they read without colour too.
"""

from __future__ import annotations

import contextlib
import datetime as dt

import polars as pl
import streamlit as st
from streamlit.errors import StreamlitPageNotFoundError

import ui
from metrics.contribution.context import NoBaseline
from metrics.contribution.report import ContributionReport, build_report

# The words and number formats live in the domain so the e-mail digest says the same; the page
# modules keep importing them from here.
from metrics.contribution.wording import (  # noqa: F401
    FLAG_WORDS,
    NO_CHECKIN,
    NO_STATUS,
    NOT_DISTINGUISHABLE,
    STATUS_MARKS,
    STATUS_WORDS,
    Tile,
    flag_table,
    format_share,
    format_value,
    headline,
    interval_text,
    run_rate_note,
    status_text,
    team_flags,
    team_link,
    value_text,
)
from metrics.store.errors import DataopsError
from ui.store_access import read
from ui.text import error_text, md_code, md_text

STATUS_COLOURS = {"on_track": "green", "at_risk": "orange", "off_track": "red"}
STATUS_ICONS = {
    "on_track": ":material/check_circle:",
    "at_risk": ":material/warning:",
    "off_track": ":material/cancel:",
}
INTERVAL_HELP = (
    "80% intervals, learnt from how wrong the natural baseline was on each series' own history "
    "(backtests of window totals at the goal's horizon, pooled over the metric's series; the "
    "Forecasts page shows them per series). An interval that contains 0 is "
    f"{NOT_DISTINGUISHABLE}."
)
FLAG_HELP = " ".join(f"**{name}**: {text}." for name, text in FLAG_WORDS.values())


def status_markdown(status: str | None, missing: str = NO_STATUS) -> str:
    """`status_text` coloured for st.markdown and labels (the mark and word carry it too)."""
    text = status_text(status, missing)
    return f":{STATUS_COLOURS[status]}[{text}]" if status in STATUS_COLOURS else text


def unit_affixes(unit: str) -> tuple[str, str]:
    """What goes before and after a number in `unit`, where `format_value` puts it:
    ('¥', '') for CNY, ('', ' users') for users."""
    prefix, _, suffix = format_value(0.0, unit).partition("0")
    return prefix, suffix


def team_table(report: ContributionReport) -> pl.DataFrame:
    """One row a team, biggest uplift first. Columns: team (its review link), department,
    status, pace, target, actual, uplift, uplift_interval, share_of_gap, reported_status,
    flags."""
    goal, as_of = report.goal.id, report.as_of
    return (
        report.teams.join(team_flags(report.flags), on="team", how="left")
        .sort("uplift", descending=True)
        .select(
            pl.col("team").map_elements(lambda t: team_link(t, goal, as_of), pl.String),
            "department", status_column("status"), "pace", "target", "actual", "uplift",
            _interval(report), "share_of_gap", status_column("reported_status", NO_CHECKIN),
            pl.col("flags").fill_null(""),
        )
    )  # fmt: skip


def department_table(report: ContributionReport) -> pl.DataFrame:
    """One row a department, then the company. Columns: department, status, pace, target,
    actual, uplift, uplift_interval, share_of_gap."""
    company = report.table().filter(level="company").with_columns(department=pl.lit("Company"))
    rows = pl.concat([report.departments.sort("uplift", descending=True), company],
                     how="diagonal_relaxed")  # fmt: skip
    return rows.select(
        "department", status_column("status"), "pace", "target", "actual", "uplift",
        _interval(report), "share_of_gap",
    )  # fmt: skip


def _interval(report: ContributionReport) -> pl.Expr:
    return (
        pl.struct("uplift_lower", "uplift_upper", "distinguishable")
        .map_elements(lambda row: interval_text(report, *row.values()), pl.String)
        .alias("uplift_interval")
    )


def status_column(column: str, missing: str = NO_STATUS) -> pl.Expr:
    """The status codes of `column` as `status_text` words."""
    return pl.col(column).map_elements(
        lambda status: status_text(status, missing), pl.String, skip_nulls=False
    )


# Streamlit's own currency formats put a minus sign before the symbol, printf after it
CURRENCY_FORMATS = {"¥": "yen", "$": "dollar", "€": "euro"}


def value_format(report: ContributionReport) -> str:
    """A NumberColumn format for values of the goal metric, its unit included."""
    unit = report.metric.unit
    if report.metric.kind.value == "ratio" or unit == "%":
        return "percent"
    prefix, suffix = unit_affixes(unit)
    decimals = 2 if abs(report.company.target) < 1e3 else 0
    return CURRENCY_FORMATS.get(prefix) or f"{prefix}%,.{decimals}f{suffix}"


def number_columns(report: ContributionReport) -> dict:
    """Column formats for the team and department tables: the goal's unit, shares in percent,
    and each team's name as the link to its review."""
    value = value_format(report)
    number = st.column_config.NumberColumn
    return {
        "team": st.column_config.LinkColumn(
            "team", display_text=r"/team\?team=([^&]*)", help="Open the team's review"
        ),
        "target": number("target to date", format=value),
        "actual": number("actual to date", format=value),
        "uplift": number("uplift to date", format=value, help="Actual minus natural baseline"),
        "contribution": number("contribution", format=value, help="Uplift to date"),
        "uplift_interval": st.column_config.TextColumn("uplift, 80% interval"),
        "share_of_gap": number("share of gap", format="percent",
                               help="Uplift as a share of the gap to date (target - natural)"),
        "pace": number("pace", format="percent", help="Actual to date / target to date"),
        "reported_status": st.column_config.TextColumn("reported in check-in"),
        "last_checkin": st.column_config.DateColumn("last check-in", format="YYYY-MM-DD"),
    }  # fmt: skip


def report_or_stop(goal_id: str, as_of: dt.date) -> ContributionReport:
    """The goal's contribution report, or a message saying what to do next (and stop)."""
    try:
        return read(build_report, goal_id, as_of)
    except NoBaseline:
        st.info(
            f"Goal {md_code(goal_id)} has no natural baseline yet, so there is nothing to "
            "measure contributions against. Fit it on the Goals page (**Fit the natural "
            "baseline**): a goal's baseline is made there."
        )
        _link_if_shown("app_pages/goals.py", "Open Goals", ":material/flag:")
    except DataopsError as error:
        st.error(error_text(error, show_server_details=ui.viewer_is_owner()))
    st.stop()


def _link_if_shown(page: str, label: str, icon: str) -> None:
    # a page missing from the navigation must not turn an empty state into a traceback
    with contextlib.suppress(StreamlitPageNotFoundError):
        st.page_link(page, label=label, icon=icon)


def headline_tiles(report: ContributionReport) -> None:
    """The goal's five tiles (target, actual, pace, landing, chance) with badges and notes."""
    for column, tile in zip(st.columns(5), headline(report), strict=True):
        with column:
            st.metric(tile.label, tile.value, help=tile.help, border=True)
            if tile.status is not None:
                status_badge(tile.status)
            if tile.note:
                st.caption(md_text(tile.note))


def status_badge(status: str) -> None:
    """A status as a coloured badge with its word and icon; no status says why."""
    if status not in STATUS_WORDS:
        st.caption(NO_STATUS)
        return
    st.badge(STATUS_WORDS[status], color=STATUS_COLOURS[status], icon=STATUS_ICONS[status])
