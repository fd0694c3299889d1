"""The review meeting's agenda as Markdown: goal and pace, landing, each department with its
teams, the company, cooperation flags, and the decisions to take. Free text goes through
`meeting_pack.md_cell`, so a `|` or a line break never breaks a table.
"""

from __future__ import annotations

import polars as pl

from metrics.contribution.report import ContributionReport
from metrics.store.catalog import Metric
from ui.formatting import format_share
from ui.meeting_pack import md_cell, rollup_table, summary_line
from ui.overview_view import (
    NO_CHECKIN,
    NOT_DISTINGUISHABLE,
    flag_table,
    interval_text,
    run_rate_note,
    status_text,
    value_text,
)
from ui.text import md_code


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
            f"# Review meeting: {md_cell(goal.name or goal.id)}",
            "",
            f"Goal {md_code(goal.id)} on {md_cell(report.metric.name)}, {goal.start_day} to "
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
