"""Alerts: the conditions worth a message (a team off track, a cooperation flag, late data),
and their memory, so an hourly run mails each event once.

A condition's episode opens when it is first seen and closes when it is gone; one that comes back
opens a new episode and alerts again. `conditions` is pure; the rest reads and writes
`alert_events`.
"""

from __future__ import annotations

import datetime as dt

import duckdb
import polars as pl

from metrics.contribution import wording as w
from metrics.contribution.report import ContributionReport
from metrics.digest.content import flag_lines, late_line
from metrics.plan.goals import now
from metrics.store.catalog import Metric
from metrics.store.connection import transaction

CONDITION_SCHEMA = {
    "key": pl.String, "kind": pl.String, "team": pl.String, "other_team": pl.String,
    "text": pl.String,
}  # fmt: skip


def conditions(
    report: ContributionReport, catalogue: dict[str, Metric], late: pl.DataFrame
) -> pl.DataFrame:
    """What is wrong now. Columns: key (stable while the condition lasts), kind (off_track,
    flag, data_late), team, other_team (a flag's team held down), text (the alert's line,
    worded as on the pages)."""
    rows = []
    for t in report.teams.filter(status="off_track").iter_rows(named=True):
        behind = w.value_text(report, abs((t["target"] or 0) - t["actual"]))
        rows.append((f"off_track:{t['team']}", "off_track", t["team"], None,
                     f"{t['team']} is {w.status_text('off_track')}: pace "
                     f"{w.format_share(t['pace'])}, {behind} from its target to date"))  # fmt: skip
    for flag, text in zip(report.flags.iter_rows(named=True), flag_lines(report, catalogue),
                          strict=True):  # fmt: skip
        parts = (flag["kind"], flag["team"], flag["other_team"], flag["initiative"], flag["metric"])
        key = "flag:" + ":".join(part or "" for part in parts)
        rows.append((key, "flag", flag["team"], flag["other_team"], text))
    for row in late.iter_rows(named=True):
        rows.append((f"late:{row['metric']}:{row['team']}", "data_late", row["team"], None,
                     late_line(row)))  # fmt: skip
    return pl.DataFrame(rows, schema=CONDITION_SCHEMA, orient="row").unique("key", keep="first")


def remember(
    con: duckdb.DuckDBPyConnection, goal: str, as_of: dt.date, found: pl.DataFrame
) -> None:
    """Open an episode for each condition not already open, close those no longer found."""
    stamp = now()
    with transaction(con):
        con.execute(
            "update alert_events set cleared_at = $stamp where goal = $goal"
            " and cleared_at is null and not list_contains($keys, key)",
            {"stamp": stamp, "goal": goal, "keys": found["key"].to_list()},
        )
        fresh = found.join(open_events(con, goal).select("key"), on="key", how="anti")
        con.register("fresh_alerts", fresh)
        try:
            con.execute(
                "insert into alert_events (goal, key, kind, team, other_team, text, as_of,"
                " noticed_at) select $goal, key, kind, team, other_team, text, $as_of, $stamp"
                " from fresh_alerts",
                {"goal": goal, "as_of": as_of, "stamp": stamp},
            )
        finally:
            con.unregister("fresh_alerts")


def open_events(con: duckdb.DuckDBPyConnection, goal: str) -> pl.DataFrame:
    """Conditions still present. Columns: alert, key, kind, team, other_team, text, as_of,
    noticed_at, listed_at, sent_at."""
    return con.sql(
        "select alert, key, kind, team, other_team, text, as_of, noticed_at, listed_at, sent_at"
        " from alert_events where goal = $goal and cleared_at is null order by alert",
        params={"goal": goal},
    ).pl()


def unreported(events: pl.DataFrame, *, sending: bool) -> pl.DataFrame:
    """The open events a run has not reported yet: not mailed (sending) or not listed."""
    return events.filter(pl.col("sent_at" if sending else "listed_at").is_null())


def concerning(events: pl.DataFrame, team: str | None) -> pl.DataFrame:
    """The events a team's lead hears of (its own, and flags that held it down); all for None."""
    if team is None:
        return events
    return events.filter((pl.col("team") == team) | (pl.col("other_team") == team))


def mark(con: duckdb.DuckDBPyConnection, alerts: list[int], *, sent: bool) -> None:
    """Record that `alerts` were mailed (`sent`) or listed; mailed ones count as listed too."""
    column = "sent_at = $stamp, listed_at = coalesce(listed_at, $stamp)" if sent else (
        "listed_at = $stamp")  # fmt: skip
    con.execute(
        f"update alert_events set {column} where list_contains($alerts, alert)",  # noqa: S608
        {"stamp": now(), "alerts": alerts},
    )
