"""Send the digest and the alerts: build them from the report the pages read, mail them through
SMTP (`workflows.mail`), and remember what went out.

    digests = prepare_digests(path, "gmv_2025", to=["a@x.com"], base_url=URL)  # the preview
    outcome = send_digests(path, settings, digests)                            # exactly that
    run = run_alerts(path, "gmv_2025", settings=settings, to=None)              # once per event
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from html import escape
from pathlib import Path

import duckdb
import polars as pl

from metrics.contribution.report import build_report
from metrics.digest import alerts, history, lateness, recipients, render
from metrics.digest.content import Digest, build_digest
from metrics.store.catalog import load_metrics
from metrics.store.connection import open_store, transaction
from metrics.store.errors import DataopsError
from workflows.mail import Delivery, Outgoing, SmtpSettings, deliver
from workflows.progress import Progress, Step, quiet
from workflows.serving import DEFAULT_BASE_URL

NO_GRANTS = (
    "this store has no people and roles yet, so it cannot tell who receives the digest. "
    "Fix: <<name_recipients>>"
)


@dataclass(frozen=True)
class PreparedDigest:
    """One message exactly as it will be sent."""

    digest: Digest
    recipients: tuple[str, ...]
    subject: str
    text: str
    html: str

    def outgoing(self) -> Outgoing:
        return Outgoing(self.subject, self.recipients, self.text, self.html)


@dataclass(frozen=True)
class DigestOutcome:
    sent: tuple[PreparedDigest, ...]
    delivery: Delivery

    @property
    def ok(self) -> bool:
        return self.delivery.ok


def load_digest(
    con: duckdb.DuckDBPyConnection,
    goal: str,
    as_of: dt.date | None = None,
    team: str | None = None,
    base_url: str = DEFAULT_BASE_URL,
    today: dt.date | None = None,
) -> Digest:
    """The digest of `goal` (one team's when `team`), compared with the last one sent."""
    report = build_report(con, goal, as_of)
    late = lateness.late_series(con, goal, today or dt.date.today())
    previous = history.previous_state(con, goal, team, report.as_of)
    return build_digest(report, load_metrics(con), late, previous, base_url, team)


def prepare_digests(
    path: Path,
    goal: str,
    *,
    as_of: dt.date | None = None,
    team: str | None = None,
    to: list[str] | None = None,
    base_url: str = DEFAULT_BASE_URL,
    today: dt.date | None = None,
) -> list[PreparedDigest]:
    """The messages to send: the one digest to `to`, or without `to` one per scope from the
    access grants (team leads their team's, leadership and owners the company's; with `team`,
    only that team's leads). Refused when there are no grants and no addresses."""
    with open_store(path, read_only=True) as con:
        scopes = _scopes(con, team, to)
        found = [(load_digest(con, goal, as_of, scope, base_url, today), emails)
                 for scope, emails in scopes]  # fmt: skip
    return [prepared(d, emails) for d, emails in found]


def prepared(digest: Digest, emails: list[str]) -> PreparedDigest:
    """`digest` as the message to `emails`: what a preview shows is what `send_digests` sends."""
    return PreparedDigest(
        digest, tuple(emails), render.subject(digest), render.as_text(digest),
        render.as_html(digest),
    )  # fmt: skip


def _scopes(con, team: str | None, to: list[str] | None) -> list[tuple[str | None, list[str]]]:
    if to:
        return [(team, to)]
    grants = history.access_grants(con)
    if grants is None:
        raise DataopsError(NO_GRANTS)
    scopes = recipients.messages(recipients.digest_recipients(grants))
    if team is not None:
        scopes = [(scope, emails) for scope, emails in scopes if scope == team]
    if not scopes:
        who = f"team {team}'s leads" if team else "anyone"
        raise DataopsError(f"no grant names {who} as a recipient. Fix: <<name_recipients>>")
    return scopes


def send_digests(
    path: Path,
    settings: SmtpSettings,
    prepared: list[PreparedDigest],
    progress: Progress = quiet,
) -> DigestOutcome:
    """Mail `prepared` (all or none: see `mail.deliver`), then record each delivered digest so
    the next one says what changed since."""
    progress(Step(f"sending through {settings.describe()}", 0, len(prepared)))
    delivery = deliver(settings, [p.outgoing() for p in prepared])
    sent = tuple(prepared[i] for i in delivery.sent)
    if sent:
        with open_store(path) as con, transaction(con):
            for p in sent:
                d = p.digest
                history.record_digest(
                    con, d.goal, d.team, d.as_of, list(p.recipients), p.subject, d.state
                )
    progress(Step(f"sending through {settings.describe()}", len(sent), len(prepared)))
    return DigestOutcome(sent, delivery)


@dataclass(frozen=True)
class AlertRun:
    goal: str
    as_of: dt.date
    new: pl.DataFrame  # alert, key, kind, team, text, ...: events not reported before
    delivery: Delivery | None  # None: listed only

    @property
    def ok(self) -> bool:
        return self.delivery is None or self.delivery.ok


def run_alerts(
    path: Path,
    goal: str,
    *,
    settings: SmtpSettings | None = None,
    to: list[str] | None = None,
    base_url: str = DEFAULT_BASE_URL,
    today: dt.date | None = None,
) -> AlertRun:
    """Note what crossed a threshold since the last run and report the new events: listed, or
    with `settings` mailed (to `to`, else by the grants: company people all, leads their team's).
    An event counts as mailed only once its every message went out."""
    with open_store(path) as con:
        report = build_report(con, goal)
        late = lateness.late_series(con, goal, today or dt.date.today())
        alerts.remember(con, goal, report.as_of, alerts.conditions(report, load_metrics(con), late))
        new = alerts.unreported(alerts.open_events(con, goal), sending=settings is not None)
        if settings is None:
            alerts.mark(con, new["alert"].to_list(), sent=False)
            return AlertRun(goal, report.as_of, new, None)
        scopes = [(None, to)] if to else _alert_scopes(con)
    name = report.goal.name or goal
    messages = [
        (ids, _alert_message(name, goal, report.as_of, rows, emails, base_url))
        for scope, emails in scopes
        if not (rows := alerts.concerning(new, scope)).is_empty()
        for ids in [rows["alert"].to_list()]
    ]
    delivery = deliver(settings, [m for _, m in messages]) if messages else Delivery(())
    failed = {a for i, (ids, _) in enumerate(messages) if i not in delivery.sent for a in ids}
    mailed = [a for ids, _ in messages for a in ids if a not in failed]
    if mailed:
        with open_store(path) as con:
            alerts.mark(con, sorted(set(mailed)), sent=True)
    return AlertRun(goal, report.as_of, new, delivery)


def _alert_scopes(con) -> list[tuple[str | None, list[str]]]:
    grants = history.access_grants(con)
    if grants is None:
        raise DataopsError(NO_GRANTS)
    return recipients.messages(recipients.digest_recipients(grants))


def _alert_message(name, goal, as_of, rows: pl.DataFrame, emails, base_url) -> Outgoing:
    subject = f"Alerts: {name} ({goal}), {rows.height} new as of {as_of}"
    lines = [f"- {text}" for text in rows["text"]]
    link = f"{base_url.rstrip('/')}/?goal={goal}"
    text = "\n".join([subject, "", *lines, "", f"Overview: {link}", ""])
    items = "".join(f"<li>{escape(t)}</li>" for t in rows["text"])
    html = (f"<!doctype html><html><body><h1>{escape(subject)}</h1><ul>{items}</ul>"
            f"<p><a href='{escape(link)}'>Overview</a></p></body></html>\n")  # fmt: skip
    return Outgoing(subject, tuple(emails), text, html)
