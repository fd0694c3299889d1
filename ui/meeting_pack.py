"""The review meeting's rollup: on screen, and as the pack's table (CSV); the agenda built from
it is `ui.meeting_agenda`.

All are functions of a `ContributionReport` and the goal's check-ins (`goal_checkins`), read
small to large: each department's teams, then the department, and the company last. Free text
from check-ins goes through `md_cell`, so a `|` or a line break never breaks a table.
"""

from __future__ import annotations

import duckdb
import polars as pl

from metrics.contribution.report import ContributionReport
from metrics.plan.checkins import load_checkins
from metrics.store.export import neutralised_name, to_csv_bytes
from ui.formatting import format_share
from ui.overview_view import (
    NO_CHECKIN,
    status_column,
    status_markdown,
    status_text,
    team_link,
    value_text,
)
from ui.text import md_text

LEVEL_ORDER = {"team": 0, "department": 1, "company": 2}
ROLLUP_COLUMNS = (
    "level", "group", "department", "target", "actual", "natural", "contribution",
    "contribution_lower", "contribution_upper", "distinguishable", "pace", "status",
    "reported_status", "problems", "next_actions", "last_checkin",
)  # fmt: skip


def goal_checkins(con: duckdb.DuckDBPyConnection, goal_id: str) -> pl.DataFrame:
    """The goal's check-ins, newest first (`metrics.plan.checkins.load_checkins`), for `read`."""
    return load_checkins(con, goal=goal_id)


def latest_actions(checkins: pl.DataFrame) -> pl.DataFrame:
    """Each team's next actions from its latest check-in that names any.
    Columns: team, next_actions, last_checkin (date of the team's latest check-in)."""
    newest = checkins.sort("created_at", descending=True)
    said = pl.col("next_actions").str.strip_chars()
    return newest.group_by("team", maintain_order=True).agg(
        next_actions=said.filter(said != "").first(),
        last_checkin=pl.col("created_at").first().dt.date(),
    )


def rollup_table(report: ContributionReport, checkins: pl.DataFrame) -> pl.DataFrame:
    """The meeting's table in reading order: per department its teams then itself, then the
    company. Columns: ROLLUP_COLUMNS (problems: a list of texts, newest first; a department's
    and the company's gather their teams' problems, prefixed with the team)."""
    rows = report.review.join(
        latest_actions(checkins).rename({"team": "group"}),
        on="group",
        how="left",
    ).with_columns(
        pl.when(pl.col("level") != "team").then(None).otherwise(pl.col(c)).alias(c)
        for c in ("next_actions", "last_checkin")
    )  # department and company rows gather problems, but only teams act
    order = [pl.col("department").is_null(), "department", pl.col("level").replace_strict(
        LEVEL_ORDER, return_dtype=pl.Int8), "group"]  # fmt: skip
    return rows.sort(order).select(
        "level", "group", "department", "target", "actual", "natural",
        contribution="uplift", contribution_lower="uplift_lower",
        contribution_upper="uplift_upper", distinguishable=_distinguishable(), pace="pace",
        status="status", reported_status="reported_status",
        problems="problems", next_actions="next_actions", last_checkin="last_checkin",
    )  # fmt: skip


def _distinguishable() -> pl.Expr:
    # DESIGN: an uplift whose interval contains zero is not distinguishable from natural growth
    inside = (pl.col("uplift_lower") <= 0) & (pl.col("uplift_upper") >= 0)
    return pl.when(pl.col("uplift_lower").is_not_null()).then(~inside)


def rows_at(rollup: pl.DataFrame, level: str) -> list[dict]:
    """The rollup's rows at one level ("department", "company", ...), in reading order."""
    return rollup.filter(level=level).to_dicts()


def summary_line(report: ContributionReport, row: dict, mark=status_text) -> str:
    """A rollup row in one line: status (as `mark` writes it), target and actual to date,
    contribution, pace."""
    return (
        f"{mark(row['status'])}, target to date {value_text(report, row['target'])}, "
        f"actual {value_text(report, row['actual'])}, contribution "
        f"{value_text(report, row['contribution'])}, pace {format_share(row['pace'])}"
    )


def team_notes(rollup: pl.DataFrame, department: str) -> str:
    """What each team of `department` raised and plans next, as Markdown for the screen."""
    lines = []
    for row in rollup.filter(level="team", department=department).iter_rows(named=True):
        reported = status_markdown(row["reported_status"], NO_CHECKIN)
        problems = [f"- Problem: {md_cell(text)}" for text in row["problems"]]
        lines += [f"**{md_cell(row['group'])}**, reported {reported}", ""]
        lines += problems or ["- No problem raised"]
        lines += [f"- Next actions: {md_cell(row['next_actions']) or 'none given'}", ""]
    return "\n".join(lines)


def department_teams(
    report: ContributionReport, rollup: pl.DataFrame, department: str
) -> pl.DataFrame:
    """A department's team rows for the screen. Columns: team (its review link), status,
    reported_status, pace, target, actual, contribution, last_checkin (statuses in words)."""
    goal, as_of = report.goal.goal, report.as_of
    return rollup.filter(level="team", department=department).select(
        team=pl.col("group").map_elements(lambda team: team_link(team, goal, as_of), pl.String),
        status=status_column("status"),
        reported_status=status_column("reported_status", NO_CHECKIN),
        pace="pace", target="target", actual="actual", contribution="contribution",
        last_checkin="last_checkin",
    )  # fmt: skip


def meeting_csv(report: ContributionReport, checkins: pl.DataFrame) -> bytes:
    """The rollup table as spreadsheet-safe CSV, each problem on its own line of its cell."""
    rollup = rollup_table(report, checkins)
    return to_csv_bytes(rollup.with_columns(pl.col("problems").list.join("\n")))


def md_cell(text: object) -> str:
    """Free text safe inside Markdown (tables included): markup characters escaped, line
    breaks kept as <br>, so a problem with `|` or newlines stays in its cell; text that a
    spreadsheet would run as a formula is quoted, as in every CSV we write."""
    if text is None:
        return ""
    safe = neutralised_name(str(text).strip())
    return "<br>".join(md_text(line.strip()) for line in safe.splitlines() if line.strip())
