"""Review from small to large: team, then department, then company, with the problems raised.

The rollup rows come already measured per level (see `measurement.summarise`, whose
department and company rows are computed from the teams' draws, so they add up); this module
orders them for the meeting, derives each row's pace and status, and attaches what teams said in
their check-ins: the latest self-reported status and every problem raised, newest first.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

import polars as pl

from metrics.plan.goals import StatusThresholds

ROLLUP_COLUMNS = (
    "level", "group", "department", "target", "actual", "natural", "uplift", "uplift_lower",
    "uplift_upper", "pace", "status", "reported_status", "problems",
)  # fmt: skip


class Level(StrEnum):
    TEAM = "team"
    DEPARTMENT = "department"
    COMPANY = "company"


def checkin_problems(checkins: pl.DataFrame, until: dt.date | None = None) -> pl.DataFrame:
    """What each team reported (up to the day `until`, when given).

    Check-ins are written after the data they discuss (today, about yesterday's numbers), so a
    report as of the latest data day keeps them all; `until` is for looking back.

    `checkins`: team, created_at, author, status, problems (free text, may be empty).
    Returns team, reported_status (the latest check-in's), last_checkin (date), problems
    (list of "YYYY-MM-DD author: text", newest first; empty texts left out).
    """
    if until is not None:
        checkins = checkins.filter(pl.col("created_at").dt.date() <= until)
    seen = checkins.sort("created_at", descending=True)
    said = pl.format(
        "{} {}: {}", pl.col("created_at").dt.date(), "author", pl.col("problems").str.strip_chars()
    )
    return seen.group_by("team", maintain_order=True).agg(
        reported_status=pl.col("status").first(),
        last_checkin=pl.col("created_at").first().dt.date(),
        problems=said.filter(pl.col("problems").str.strip_chars() != ""),
    )


def rollup(
    levels: dict[Level, pl.DataFrame],
    teams: pl.DataFrame,
    reports: pl.DataFrame,
    thresholds: StatusThresholds,
    *,
    higher_is_better: bool = True,
) -> pl.DataFrame:
    """The meeting's table, small to large.

    `levels`: per level a frame with group, target, actual, natural, uplift, uplift_lower,
    uplift_upper (target and actual to date). `teams`: team, department. `reports`: as from
    `checkin_problems`. Returns level, group, department, target, actual, natural, uplift,
    uplift_lower, uplift_upper, pace, status, reported_status, problems (list of text; a
    department's and the company's gather their teams', prefixed with the team).
    """
    by_team = teams.join(reports, on="team", how="left")
    said = (
        by_team.select("team", "department", "problems")
        .explode("problems")
        .filter(pl.col("problems").is_not_null())
        .select("team", "department", text=pl.format("{} - {}", "team", "problems"))
    )
    gathered = {
        Level.TEAM: by_team.select("reported_status", "problems", group="team"),
        Level.DEPARTMENT: said.group_by("department", maintain_order=True)
        .agg(problems="text")
        .rename({"department": "group"}),
        Level.COMPANY: said.select(
            group=pl.lit(Level.COMPANY.value), problems=pl.col("text").implode()
        ),
    }
    departments = dict(teams.select("team", "department").iter_rows())
    parts = []
    for level in Level:
        frame = levels[level].join(gathered[level], on="group", how="left")
        department = {
            Level.TEAM: pl.col("group").replace_strict(departments, default=None),
            Level.DEPARTMENT: pl.col("group"),
            Level.COMPANY: pl.lit(None, pl.String),
        }[level]
        parts.append(
            frame.with_columns(level=pl.lit(level.value), department=department).sort("group")
        )
    table = pl.concat(parts, how="diagonal_relaxed")
    return with_status(table, thresholds, higher_is_better).select(
        *ROLLUP_COLUMNS[:-1], pl.col("problems").fill_null(pl.lit([], pl.List(pl.String)))
    )


def with_status(
    table: pl.DataFrame, thresholds: StatusThresholds, higher_is_better: bool
) -> pl.DataFrame:
    """`table` (with actual, target) plus pace and status (both null without a target)."""
    top, bottom = ("actual", "target") if higher_is_better else ("target", "actual")
    pace = pl.when((pl.col(bottom) > 0) & (pl.col(top) >= 0)).then(pl.col(top) / pl.col(bottom))
    status = pl.col("pace").map_elements(
        lambda value: thresholds.status(value).value, return_dtype=pl.String
    )
    return table.with_columns(pace=pace).with_columns(status=status)
