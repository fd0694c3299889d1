"""What the Team review page shows, shaped from the domain's frames (pure, frames in and out),
and the one save its check-in form makes.

The domain computes every number (`contribution.report`, `contribution.team_queries`); this
module only picks one team's rows, names columns for people and turns flags into sentences.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import polars as pl

from metrics.access.roles import Action
from metrics.checks.flags import FlagKind
from metrics.plan.checkins import add_checkin
from metrics.store.catalog import UNASSIGNED, Metric, Team
from metrics.store.errors import ValidationFailed
from ui.formatting import format_value
from ui.overview_view import status_text
from ui.store_access import write
from ui.text import md_code, md_text
from ui.words import words


def team_ids(teams: Mapping[str, Team]) -> list[str]:
    """The teams a lead can review (and check in for): every team but `unassigned`."""
    return sorted(team for team in teams if team != UNASSIGNED)


def team_label(teams: Mapping[str, Team], team: str) -> str:
    known = teams.get(team)
    return f"{known.name} ({team})" if known and known.name else team


def unknown_team_message(wanted: str, ids: list[str]) -> str:
    listed = ", ".join(md_code(team) for team in ids) or "none yet"
    return (
        f"There is no team {md_code(wanted)}. Teams: {listed}. Pick one below (the link updates)."
    )


def value_text(value: float | None, metric: Metric) -> str:
    """A value of `metric` with its unit. Percent only for a metric measured in %: a ratio in
    CNY (average order value) is money, which `format_value(kind="ratio")` would show as %."""
    return format_value(value, metric.unit, kind="ratio" if metric.unit == "%" else "flow")


def uplift_text(row: Mapping, metric: Metric) -> str:
    """'80% interval ¥11.3M to ¥20.6M', or why there is none to trust."""
    if row["uplift_lower"] is None or row["uplift_upper"] is None:
        return "no interval: the baseline has no calibrated paths"
    interval = (
        f"80% interval {value_text(row['uplift_lower'], metric)} to "
        f"{value_text(row['uplift_upper'], metric)}"
    )
    if row["distinguishable"]:
        return interval
    return f"not distinguishable from natural growth ({interval})"


def team_row(teams: pl.DataFrame, team: str) -> dict | None:
    """The team's row of `ContributionReport.teams`, or None when the team owns none of the
    goal metric (it then has no contribution to measure)."""
    rows = teams.filter(team=team)
    return rows.row(0, named=True) if rows.height else None


def indicator_table(standing: pl.DataFrame, catalogue: Mapping[str, Metric]) -> pl.DataFrame:
    """`team_queries.indicator_standing` for people: one row per phase."""
    unit = pl.col("indicator").replace_strict(
        {name: metric.unit for name, metric in catalogue.items()}, default=""
    )
    return standing.select(
        "phase", "indicator", unit.alias("unit"), "share",
        pl.col("start_day").alias("from"), pl.col("end_day").alias("to"),
        pl.col("indicator_target").alias("phase target"),
        pl.col("indicator_natural").alias("phase natural"),
        pl.col("days").alias("days measured"),
        pl.col("actual").alias("actual to date"), pl.col("target").alias("target to date"),
        "pace",
    )  # fmt: skip


INITIATIVE_AMOUNTS = ("uplift", "uplift low (80%)", "uplift high (80%)")


def initiative_names(initiatives: pl.DataFrame) -> dict[str, str]:
    """initiative id -> its name, from `ContributionReport.initiatives`."""
    named = initiatives.drop_nulls("initiative").unique("initiative")
    return dict(named.select("initiative", pl.coalesce("name", "initiative")).rows())


def initiative_table(
    initiatives: pl.DataFrame, intervals: pl.DataFrame, team: str, goal_metric: str
) -> pl.DataFrame:
    """The team's rows of `ContributionReport.initiatives` with their intervals, the goal
    metric first; the unattributed rest is named so it is never read as an initiative."""
    mine = initiatives.filter(team=team).join(
        intervals, on=["metric", "initiative"], how="left", nulls_equal=True
    )
    name = pl.when(pl.col("kind") == "unattributed").then(
        pl.lit("unattributed: not explained by the team's initiatives")
    )
    excluded = (pl.col("uplift_lower") > 0) | (pl.col("uplift_upper") < 0)
    return mine.sort(pl.col("metric") != goal_metric, "metric", "kind", maintain_order=True).select(
        "metric", name.otherwise(pl.coalesce("name", "initiative")).alias("initiative"),
        pl.col("active_days").alias("days"), "uplift",
        pl.col("uplift_lower").alias("uplift low (80%)"),
        pl.col("uplift_upper").alias("uplift high (80%)"),
        excluded.alias("distinguishable from natural growth"),
    )  # fmt: skip


def flag_sentence(flag: Mapping, team: str, names: Mapping[str, str], metric: Metric) -> str:
    """One cooperation flag in plain words, from `team`'s side of it."""
    what = names.get(flag["initiative"] or "", flag["initiative"])
    amount = value_text(flag["amount"], metric)
    when = f"{flag['start_day']:%d %b} to {flag['end_day']:%d %b}"
    kind = FlagKind(flag["kind"])
    if kind is FlagKind.PULL_FORWARD:
        return (
            f"Pull-forward: after {what} your {metric.name} fell below natural growth "
            f"({when}), giving back {amount}: part of its uplift was demand pulled forward."
        )
    if kind is FlagKind.LOCAL_WIN_GLOBAL_LOSS:
        return (
            f"Local win, global loss: you are on pace for your own indicator, but your net "
            f"contribution to the company goal is {amount} ({when})."
        )
    if flag["team"] == team:
        return (
            f"Cannibalisation: while your {what} ran ({when}), {flag['other_team']}'s "
            f"{metric.name} fell {amount} below its natural level."
        )
    return (
        f"Cannibalisation: while {flag['team']}'s {what} ran ({when}), your {metric.name} "
        f"fell {amount} below its natural level."
    )


def flag_table(
    flags: pl.DataFrame, team: str, names: Mapping[str, str], catalogue: Mapping[str, Metric]
) -> pl.DataFrame:
    """The flags where `team` acted or was hit, each with a sentence. Columns: what happened,
    kind, metric, from, to, amount, detail (the check's own numbers)."""
    mine = flags.filter((pl.col("team") == team) | (pl.col("other_team") == team))
    sentences = [
        flag_sentence(row, team, names, catalogue[row["metric"]])
        for row in mine.iter_rows(named=True)
    ]
    return mine.select(
        pl.Series("what happened", sentences, dtype=pl.String),
        pl.col("kind").str.replace_all("_", " "), "metric",
        pl.col("start_day").alias("from"), pl.col("end_day").alias("to"), "amount", "detail",
    )  # fmt: skip


def checkin_table(checkins: pl.DataFrame) -> pl.DataFrame:
    """`metrics.plan.checkins.load_checkins` for people, newest first, statuses as mark and word
    the way every page shows them (`overview_view.status_text`)."""
    status = pl.col("status").map_elements(status_text, return_dtype=pl.String)
    return checkins.sort("created_at", descending=True, maintain_order=True).select(
        pl.col("created_at").alias("when (UTC)"), pl.col("author").alias("by"), status,
        "notes", "problems", pl.col("next_actions").alias("next actions"),
    )  # fmt: skip


@dataclass(frozen=True)
class CheckinDraft:
    """What the form holds: one team's check-in against one goal."""

    team: str
    goal_id: str
    author: str
    status: str
    notes: str = ""
    problems: str = ""
    next_actions: str = ""


def refusal_text(error: ValidationFailed) -> str:
    """The domain's reasons a check-in was refused, one Markdown bullet each."""
    return "\n".join(
        f"- **{md_text(p.column)}** {md_text(words(p.message))}. Fix: {md_text(words(p.fix))}."
        for p in error.problems
    )


def save_checkin(draft: CheckinDraft) -> str:
    """Write the check-in (validated by `plan.checkins`, which raises `ValidationFailed` with
    every problem); return its id. Concurrent saves queue on the store's lock, none is lost.
    Only the owner and the team's leads may (`AccessDenied` otherwise, nothing written)."""
    return write(
        add_checkin, draft.team, draft.goal_id, draft.author, draft.status,
        draft.notes, draft.problems, draft.next_actions, needs=Action.ADD_CHECKIN, team=draft.team,
    )  # fmt: skip
