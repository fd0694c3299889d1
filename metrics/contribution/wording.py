"""How a report is said in words and numbers: units, statuses, intervals, flags, team links.

The pages (`ui/`) and the e-mail digest (`metrics.digest`) both speak through these functions, so
a number reads the same on screen and in a mailbox. Pure: no streamlit, values in, text out.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass
from urllib.parse import urlencode

import polars as pl

from metrics.checks.flags import FlagKind
from metrics.contribution.report import ContributionReport
from metrics.store.catalog import Metric
from metrics.store.export import neutralised_name

_CURRENCY_SYMBOLS = {"CNY": "¥", "RMB": "¥", "USD": "$", "EUR": "€", "GBP": "£"}

STATUS_WORDS = {"on_track": "On track", "at_risk": "At risk", "off_track": "Off track"}
# marks found in every common font (emoji are not), so the word's shape shows everywhere
STATUS_MARKS = {"on_track": "✓", "at_risk": "⚠", "off_track": "✗"}
NO_STATUS = "No target to date yet"
NO_CHECKIN = "No check-in yet"
NOT_DISTINGUISHABLE = "not distinguishable from natural growth"
FLAG_WORDS = {
    FlagKind.PULL_FORWARD: ("Pull-forward", "demand was pulled forward, not added"),
    FlagKind.CANNIBALISATION: ("Cannibalisation", "one team's campaign held another team down"),
    FlagKind.LOCAL_WIN_GLOBAL_LOSS: (
        "Local win, global loss",
        "on pace for its own indicator, adding nothing to the company goal",
    ),
}


def format_value(value: float | None, unit: str = "", *, kind: str = "flow") -> str:
    """`1234567.8, 'CNY'` -> '¥1.23M'; ratios in percent; other units after the number."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "—"
    if kind == "ratio" or unit == "%":
        return f"{value * 100:.2f}%"
    symbol = _CURRENCY_SYMBOLS.get(unit.upper())
    number = _compact(value)
    if symbol:
        return f"-{symbol}{number[1:]}" if number.startswith("-") else f"{symbol}{number}"
    return f"{number} {unit}".strip()


def format_share(value: float | None) -> str:
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "—"
    return f"{value * 100:.1f}%"


def _compact(value: float) -> str:
    magnitude = abs(value)
    for threshold, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "k")):
        if magnitude >= threshold:
            return f"{value / threshold:.2f}{suffix}"
    if magnitude >= 100 or float(value).is_integer():
        return f"{value:,.0f}"
    return f"{value:,.2f}"


def status_text(status: str | None, missing: str = NO_STATUS) -> str:
    """'✗ Off track'; a missing status says why (`missing`)."""
    if status not in STATUS_WORDS:
        return missing
    return f"{STATUS_MARKS[status]} {STATUS_WORDS[status]}"


def value_text(report: ContributionReport, value: float | None) -> str:
    """A value of the goal metric in its unit and kind (ratios in percent)."""
    return format_value(value, report.metric.unit, kind=report.metric.kind.value)


def interval_text(report: ContributionReport, lower, upper, distinguishable) -> str:
    """An uplift's 80% interval, or that it cannot be told apart from natural growth."""
    if lower is None or upper is None:
        return "no interval (no sampled baseline)"
    span = f"{value_text(report, lower)} to {value_text(report, upper)}"
    return span if distinguishable else f"{span}: {NOT_DISTINGUISHABLE}"


def team_link(team: str, goal_id: str, as_of: dt.date) -> str:
    """The Team review deep link; goal and day ride along so a new tab opens the same view."""
    return "/team?" + urlencode({"team": team, "goal": goal_id, "as_of": as_of.isoformat()})


def run_rate_note(report: ContributionReport) -> str:
    """The landing if the current uplift run-rate held, labelled apart from the landing."""
    landing = report.landing
    return (
        f"With the current uplift run-rate (last 28 days) held to the end, the landing would be "
        f"{value_text(report, landing.value_with_run_rate)} (run-rate adds "
        f"{value_text(report, landing.run_rate)}; chance of reaching the target "
        f"{format_share(landing.probability_with_run_rate)})."
    )


@dataclass(frozen=True)
class Tile:
    label: str
    value: str
    note: str  # shown under the value
    help: str
    status: str | None = None  # None: not a status tile; "": a status tile without a status


def headline(report: ContributionReport) -> list[Tile]:
    """The KPI tiles: target, actual to date, pace, projected landing, chance of reaching it."""
    c, landing = report.company, report.landing
    band = "No interval: the baseline has no sampled paths"
    if landing.lower is not None and landing.upper is not None:
        band = f"80% interval {value_text(report, landing.lower)} to "
        band += value_text(report, landing.upper)
    return [
        Tile("Target", value_text(report, c.target),
             f"To date: {value_text(report, c.target_to_date)}", "For the whole period"),
        Tile("Actual to date", value_text(report, c.actual_to_date),
             f"Natural baseline: {value_text(report, c.natural_to_date)}",
             "What the metric would have been without operations: the natural baseline"),
        Tile("Pace", format_share(c.pace), "", "Actual to date against target to date",
             c.status.value if c.status else ""),
        Tile("Projected landing", value_text(report, landing.value), band,
             "Actual to date plus the natural forecast for the rest of the period"),
        Tile("Chance of reaching the target", format_share(landing.probability),
             "From the natural forecast alone",
             "Share of the natural baseline's sampled paths that reach the target"),
    ]  # fmt: skip


def team_flags(flags: pl.DataFrame) -> pl.DataFrame:
    """Each team's flags in words, the acting and the affected team alike. Columns: team, flags."""
    acting = flags.select(
        "team",
        "kind",
        role=pl.when(pl.col("other_team").is_not_null())
        .then(pl.format(" of {}", "other_team"))
        .otherwise(pl.lit("")),
    )
    affected = flags.filter(pl.col("other_team").is_not_null()).select(
        team="other_team", kind="kind", role=pl.format(" by {}", "team")
    )
    words = {kind.value: name.lower() for kind, (name, _) in FLAG_WORDS.items()}
    said = pl.concat([acting, affected]).with_columns(
        text=pl.col("kind").replace_strict(words, default=pl.col("kind")) + pl.col("role")
    )
    return said.group_by("team").agg(
        flags=pl.col("text").unique(maintain_order=True).str.join("; ")
    )


def flag_table(report: ContributionReport, catalogue: dict[str, Metric]) -> pl.DataFrame:
    """Every cooperation flag in words. Columns: flag, teams, initiative, window, amount, what."""

    def amount(row: dict) -> str:
        metric = catalogue.get(row["metric"])
        unit, kind = (metric.unit, metric.kind.value) if metric else ("", "flow")
        return f"{format_value(row['amount'], unit, kind=kind)} of {row['metric']}"

    names = {kind.value: name for kind, (name, _) in FLAG_WORDS.items()}
    teams = (
        pl.when(pl.col("other_team").is_null())
        .then("team")
        .otherwise(pl.format("{} (acting), {} (held down)", "team", "other_team"))
    )
    return report.flags.select(
        flag=pl.col("kind").replace_strict(names, default=pl.col("kind")),
        teams=teams,
        initiative=pl.col("initiative").fill_null("—"),
        window=pl.format("{} to {}", "start_day", "end_day"),
        amount=pl.struct("metric", "amount").map_elements(amount, pl.String),
        what="detail",
    )  # fmt: skip


def md_cell(text: object) -> str:
    """Free text safe inside Markdown (tables included): markup characters escaped, line
    breaks kept as <br>, so a problem with `|` or newlines stays in its cell; text that a
    spreadsheet would run as a formula is quoted, as in every CSV we write."""
    if text is None:
        return ""
    safe = neutralised_name(str(text).strip())
    escaped = re.sub(r"([\\`*\[\]<>|])", r"\\\1", safe)
    return "<br>".join(line.strip() for line in escaped.splitlines() if line.strip())
