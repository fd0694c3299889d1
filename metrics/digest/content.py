"""What a digest says: the goal's headline, each team with what changed since the last digest,
the cooperation flags and late data, with a deep link to each team's page.

Pure: a `ContributionReport` (the one the pages read) in, a `Digest` of finished sentences out,
worded by `metrics.contribution.wording`, so a number reads as it does on screen. Intervals are
read only through the report, whatever produced them.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass

import polars as pl

from metrics.contribution import wording as w
from metrics.contribution.report import ContributionReport
from metrics.store.catalog import Metric
from metrics.store.errors import DataopsError

FIRST_DIGEST = "nothing to compare: no digest was sent before"
NO_CHANGE = "no change since the last digest"


@dataclass(frozen=True)
class TeamLine:
    team: str
    department: str
    status: str  # as the pages word it, e.g. '✗ Off track'
    pace: str
    uplift: str
    interval: str
    share_of_gap: str
    reported: str
    flags: str  # '' without flags
    link: str
    changes: tuple[str, ...]


@dataclass(frozen=True)
class Digest:
    goal: str
    goal_name: str
    metric_name: str
    period: str
    as_of: dt.date
    team: str | None  # None: the company's digest
    headline: tuple[tuple[str, str, str], ...]  # label, value, note
    landing_note: str
    teams: tuple[TeamLine, ...]
    flags: tuple[str, ...]
    late: tuple[str, ...]
    state: dict  # what the next digest of this scope compares against

    @property
    def title(self) -> str:
        scope = f" for team {self.team}" if self.team else ""
        return f"Digest of {self.goal_name} ({self.goal}){scope}, as of {self.as_of}"


def team_state(report: ContributionReport) -> dict:
    """Per team: status, flags in words, problems raised. JSON-ready, stored with a sent digest."""
    flags = dict(w.team_flags(report.flags).iter_rows())
    return {
        row["team"]: {
            "status": row["status"],
            "flags": sorted(filter(None, (flags.get(row["team"]) or "").split("; "))),
            "problems": list(row["problems"] or []),
        }
        for row in report.teams.iter_rows(named=True)
    }


def changes(before: dict | None, now: dict) -> tuple[str, ...]:
    """What changed for one team between two `team_state` entries, in words."""
    if before is None:
        return (FIRST_DIGEST,)
    found = []
    if before.get("status") != now["status"]:
        was = w.status_text(before.get("status"))
        found.append(f"status {was} → {w.status_text(now['status'])}")
    found += [f"new flag: {flag}" for flag in now["flags"] if flag not in before.get("flags", [])]
    seen = set(before.get("problems", []))
    found += [f"new problem: {text}" for text in now["problems"] if text not in seen]
    return tuple(found) or (NO_CHANGE,)


def build_digest(
    report: ContributionReport,
    catalogue: dict[str, Metric],
    late: pl.DataFrame,
    previous: dict | None,
    base_url: str,
    team: str | None = None,
) -> Digest:
    """The digest of `report` for the company (`team` None) or one team's lead.

    `late`: `lateness.late_series`. `previous`: the `state` of the last digest of this scope
    (None: none sent yet). `base_url`: where the app is served, for the deep links.
    """
    known = report.teams["team"].to_list()
    if team is not None and team not in known:
        listed = ", ".join(sorted(known))
        raise DataopsError(f"goal {report.goal.id} has no team {team!r}. Fix: use one of {listed}")
    state = team_state(report)
    earlier = None if previous is None else previous.get("teams", {})
    rows = report.teams.sort("uplift", descending=True, nulls_last=True)
    if team is not None:
        rows = rows.filter(team=team)
        state = {team: state[team]}
    lines = tuple(
        _team_line(report, row, state[row["team"]], earlier, base_url)
        for row in rows.iter_rows(named=True)
    )
    return Digest(
        goal=report.goal.id,
        goal_name=report.goal.name or report.goal.id,
        metric_name=report.metric.name,
        period=f"{report.goal.start_day} to {report.goal.end_day}",
        as_of=report.as_of,
        team=team,
        headline=tuple((t.label, t.value, _tile_note(t)) for t in w.headline(report)),
        landing_note=w.run_rate_note(report),
        teams=lines,
        flags=flag_lines(report, catalogue, team),
        late=_late_lines(late, team),
        state={"teams": state},
    )


def _tile_note(tile: w.Tile) -> str:
    if tile.status is None:
        return tile.note
    return w.status_text(tile.status or None)


def _team_line(report, row: dict, now: dict, earlier: dict | None, base_url: str) -> TeamLine:
    before = None if earlier is None else earlier.get(row["team"], {})
    link = base_url.rstrip("/") + w.team_link(row["team"], report.goal.id, report.as_of)
    return TeamLine(
        team=row["team"],
        department=row["department"] or "",
        status=w.status_text(row["status"]),
        pace=w.format_share(row["pace"]),
        uplift=w.value_text(report, row["uplift"]),
        interval=w.interval_text(
            report, row["uplift_lower"], row["uplift_upper"], row["distinguishable"]
        ),
        share_of_gap=w.format_share(row["share_of_gap"]),
        reported=w.status_text(row["reported_status"], w.NO_CHECKIN),
        flags=", ".join(now["flags"]),
        link=link,
        changes=changes(before, now),
    )


def flag_lines(report, catalogue, team: str | None = None) -> tuple[str, ...]:
    """Each flag (of `team`, acting or held down, when given) in one sentence, in the order of
    `report.flags`."""
    flags = report.flags
    if team is not None:
        flags = flags.filter((pl.col("team") == team) | (pl.col("other_team") == team))
    table = w.flag_table(_with_flags(report, flags), catalogue)
    return tuple(
        f"{r['flag']}: {r['teams']}; initiative {r['initiative']}, {r['window']}, "
        f"{r['amount']}. {r['what']}"
        for r in table.iter_rows(named=True)
    )


def _with_flags(report: ContributionReport, flags: pl.DataFrame) -> ContributionReport:
    return dataclasses.replace(report, flags=flags)


def _late_lines(late: pl.DataFrame, team: str | None) -> tuple[str, ...]:
    if team is not None:
        late = late.filter(team=team)
    # every team's data usually stops on the same day: one line per metric and day, not per team
    grouped = late.group_by("metric", "last_day", "days_late", maintain_order=True).agg(
        team=pl.col("team").sort().str.join(", ")
    )
    return tuple(late_line(row) for row in grouped.iter_rows(named=True))


def late_line(row: dict) -> str:
    """Late series (a row of `lateness.late_series`, teams may be joined by commas) in words."""
    return (
        f"{row['metric']} of {row['team']}: latest data {row['last_day']}, "
        f"{row['days_late']} days late"
    )
