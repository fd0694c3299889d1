"""The review meeting: its rollup on screen, and its pack, the rollup table (CSV) and a
readable agenda (Markdown).

All are functions of a `ContributionReport` and the goal's check-ins (`goal_checkins`), read
small to large: each department's teams, then the department, and the company last. Free text
from check-ins goes through `md_cell`, so a `|` or a line break never breaks a table.
"""

from __future__ import annotations

import duckdb
import polars as pl

from metrics.contribution.report import ContributionReport
from metrics.plan.checkins import load_checkins
from metrics.store.catalog import Metric
from metrics.store.export import neutralised_name, to_csv_bytes
from ui.formatting import format_share
from ui.overview_view import (
    NO_CHECKIN,
    NOT_DISTINGUISHABLE,
    flag_table,
    interval_text,
    run_rate_note,
    status_column,
    status_markdown,
    status_text,
    team_link,
    value_text,
)
from ui.text import md_code, md_text

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


def meeting_markdown(
    report: ContributionReport, checkins: pl.DataFrame, catalogue: dict[str, Metric]
) -> str:
    """The agenda: goal and pace, landing, each department with its teams (status,
    contribution, problems, next actions), the company, cooperation flags, decisions to take."""
    rollup = rollup_table(report, checkins)
    flags = flag_table(report, catalogue)
    parts = [
        _goal_section(report),
        _departments_section(report, rollup),
        _flags_section(flags),
        "## 5. Decisions to take\n\n" + decisions_markdown(report, rollup, flags),
    ]
    return "\n\n".join(parts) + "\n"


def _goal_section(report: ContributionReport) -> str:
    c, goal, landing = report.company, report.goal, report.landing
    band = ""
    if landing.lower is not None and landing.upper is not None:
        band = f" (80% interval {value_text(report, landing.lower)} to "
        band += f"{value_text(report, landing.upper)})"
    rows = [
        ("Target", value_text(report, c.target)),
        ("Target to date", value_text(report, c.target_to_date)),
        ("Actual to date", value_text(report, c.actual_to_date)),
        ("Natural baseline to date", value_text(report, c.natural_to_date)),
        ("Contribution above natural", f"{value_text(report, c.uplift_to_date)} "
         f"({interval_text(report, c.uplift_lower, c.uplift_upper, c.distinguishable)})"),
        ("Pace", f"{format_share(c.pace)}, {status_text(c.status.value if c.status else None)}"),
    ]  # fmt: skip
    return "\n".join(
        [
            f"# Review meeting: {md_cell(goal.name or goal.goal)}",
            "",
            f"Goal {md_code(goal.goal)} on {md_cell(report.metric.name)}, {goal.start_day} to "
            f"{goal.end_day}, as of {report.as_of}.",
            "",
            "## 1. Goal and pace",
            "",
            _table(("", "Company"), rows),
            "",
            "## 2. Landing",
            "",
            f"Projected landing: {value_text(report, landing.value)}{band}; chance of "
            f"reaching {value_text(report, c.target)}: {format_share(landing.probability)}.",
            "",
            run_rate_note(report),
        ]
    )


TEAM_HEADER = ("Team", "Status", "Reported", "Target", "Actual", "Contribution", "Pace",
               "Problems raised", "Next actions")  # fmt: skip


def _departments_section(report: ContributionReport, rollup: pl.DataFrame) -> str:
    lines = ["## 3. From small to large: teams, departments, company"]
    for department in rollup.filter(level="department").iter_rows(named=True):
        teams = rollup.filter(level="team", department=department["group"])
        heading = f"### {md_cell(department['group'])}: {summary_line(report, department)}"
        lines += ["", heading, ""]
        lines.append(
            _table(TEAM_HEADER, [_team_cells(report, t) for t in teams.iter_rows(named=True)])
        )
    company = rollup.filter(level="company").row(0, named=True)
    lines += ["", f"### Company: {summary_line(report, company)}"]
    return "\n".join(lines)


def _team_cells(report: ContributionReport, row: dict) -> tuple[str, ...]:
    contribution = value_text(report, row["contribution"])
    if row["distinguishable"] is False:
        contribution += f" ({NOT_DISTINGUISHABLE})"
    return (
        md_cell(row["group"]), status_text(row["status"]),
        status_text(row["reported_status"], NO_CHECKIN), value_text(report, row["target"]),
        value_text(report, row["actual"]), contribution, format_share(row["pace"]),
        "<br>".join(md_cell(text) for text in row["problems"]) or "none raised",
        md_cell(row["next_actions"]) or "none given",
    )  # fmt: skip


def _flags_section(flags: pl.DataFrame) -> str:
    if flags.is_empty():
        return "## 4. Cooperation flags\n\nNone: no team's gain is measured to cost another."
    header = ("Flag", "Teams", "Initiative", "Window", "Amount", "What happened")
    rows = [tuple(md_cell(value) for value in row) for row in flags.rows()]
    return "## 4. Cooperation flags\n\n" + _table(header, rows)


def decisions(report: ContributionReport, rollup: pl.DataFrame, flags: pl.DataFrame) -> list[str]:
    """What the meeting has to decide: a landing likely to miss, every team behind its target
    to date, every team whose own report disagrees with its numbers, and every flag."""
    found = []
    landing = report.landing
    if landing.probability is not None and landing.probability < 0.5:
        found.append(
            f"The projected landing {value_text(report, landing.value)} is likely to miss the "
            f"target {value_text(report, report.company.target)} (chance "
            f"{format_share(landing.probability)}): add tactics, or re-spread the shortfall "
            "over the phases left."
        )
    for row in rollup.filter(level="team").iter_rows(named=True):
        team, status, said = md_cell(row["group"]), row["status"], row["reported_status"]
        behind = status in ("off_track", "at_risk")
        if not behind and (said is None or said == status):
            continue
        text = f"{team} measures {status_text(status)}"
        if behind:
            gap = value_text(report, abs(row["target"] - row["actual"]))
            text += f", {gap} from its target to date"
        if said is not None and said != status:
            text += f", but reports {status_text(said)}"
        found.append(text + ": agree its next actions and who owns them.")
    for flag, teams, initiative, *_ in flags.rows():
        found.append(f"{flag} ({md_cell(teams)}; {md_cell(initiative)}): decide how to plan "
                     "it so that it adds to the company goal.")  # fmt: skip
    return found


def decisions_markdown(report: ContributionReport, rollup: pl.DataFrame, flags) -> str:
    """`decisions` as a numbered Markdown list."""
    items = [f"{n}. {text}" for n, text in enumerate(decisions(report, rollup, flags), 1)]
    return "\n".join(items) or NOTHING_TO_DECIDE


NOTHING_TO_DECIDE = "Nothing to decide: every team is on track and no flag was raised."


def _table(header: tuple[str, ...], rows: list[tuple[str, ...]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)
