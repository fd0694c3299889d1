"""`dataops digest` and `dataops alerts`: the review by e-mail.

`digest` prints (or writes) the goal's digest as text, HTML or Markdown; with `--send` it mails
one multipart message (text + HTML) to `--to`, or, without `--to`, to the people the access
grants name. `alerts` lists what crossed a threshold since its last run and, with `--send`,
mails each event once. A refused recipient is named and the command exits non-zero.
"""

from __future__ import annotations

import datetime as dt
import sys
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from cli.common import STORE_DEFAULT, GoalOption, StoreOption, err, out
from metrics.store.errors import DataopsError
from workflows.serving import DEFAULT_BASE_URL

# The store's modules (DuckDB, Polars) are imported inside each command, so that
# `dataops digest --help` starts without them (tests/cli/test_main.py).
if TYPE_CHECKING:
    from workflows.mail import Delivery, SmtpSettings


class Format(StrEnum):
    TEXT = "text"
    HTML = "html"
    MARKDOWN = "markdown"


AsOfOption = Annotated[
    dt.datetime | None,
    typer.Option("--as-of", formats=["%Y-%m-%d"],
                 help="Measure up to this day (YYYY-MM-DD). Default: the last day with data."),
]  # fmt: skip
SendOption = Annotated[bool, typer.Option("--send", help="Mail it instead of printing it.")]
SmtpOption = Annotated[
    str | None,
    typer.Option("--smtp", help="HOST:PORT of the SMTP server (else DATAOPS_SMTP_HOST/PORT or "
                 "[smtp] in .streamlit/secrets.toml)."),
]  # fmt: skip
FromOption = Annotated[
    str | None, typer.Option("--from", help="The sender's address (else DATAOPS_SMTP_FROM).")
]
ToOption = Annotated[
    str | None,
    typer.Option("--to", help="ADDR[,ADDR...]. Default: from the access grants (team leads "
                 "their team's digest, leadership and owners the company's)."),
]  # fmt: skip
BaseUrlOption = Annotated[
    str,
    typer.Option("--base-url", envvar="DATAOPS_BASE_URL",
                 help="Where the app is served, for the links to each team's page."),
]  # fmt: skip


def register(app: typer.Typer) -> None:
    app.command("digest")(digest_command)
    app.command("alerts")(alerts_command)


def digest_command(
    goal: GoalOption,
    as_of: AsOfOption = None,
    team: Annotated[
        str | None, typer.Option("--team", help="One team's digest, for its lead.")
    ] = None,
    format: Annotated[
        Format, typer.Option("--format", help="text, html or markdown.")
    ] = Format.TEXT,
    out_file: Annotated[Path | None, typer.Option("--out", help="Write to this file.")] = None,
    base_url: BaseUrlOption = DEFAULT_BASE_URL,
    send: SendOption = False,
    smtp: SmtpOption = None,
    sender: FromOption = None,
    to: ToOption = None,
    store: StoreOption = STORE_DEFAULT,
) -> None:
    """The goal's digest: headline, each team's uplift, status and what changed since the last
    digest sent, cooperation flags, late data, and a link to each team's page."""
    from metrics.digest import render
    from metrics.store.connection import open_store
    from workflows import digest as flow
    from workflows.mail import smtp_settings

    day = as_of.date() if as_of else None
    if not send and (to or smtp or sender):
        raise DataopsError("--to, --smtp and --from say how to mail the digest. Fix: add --send")
    if not send:
        with open_store(store, create=False):
            pass  # applies pending migrations (the digest history), so the read below may run
        with open_store(store, read_only=True, create=False) as con:
            digest = flow.load_digest(con, goal, day, team, base_url)
        writer = {Format.TEXT: render.as_text, Format.HTML: render.as_html,
                  Format.MARKDOWN: render.as_markdown}[format]  # fmt: skip
        _write(writer(digest), out_file)
        return
    settings = smtp_settings(smtp, sender)
    prepared = flow.prepare_digests(
        store, goal, as_of=day, team=team, to=_addresses(to), base_url=base_url
    )
    outcome = flow.send_digests(store, settings, prepared)
    for p in outcome.sent:
        out.print(f"sent {p.subject!r} to {', '.join(p.recipients)}", markup=False)
    _fail_on(outcome.delivery, settings)


def alerts_command(
    goal: GoalOption,
    base_url: BaseUrlOption = DEFAULT_BASE_URL,
    send: SendOption = False,
    smtp: SmtpOption = None,
    sender: FromOption = None,
    to: ToOption = None,
    store: StoreOption = STORE_DEFAULT,
) -> None:
    """What crossed a threshold since the last run (a team turned off track, a new pull-forward
    or cannibalisation flag, late data). With --send it mails them; each event is mailed once."""
    from workflows import digest as flow
    from workflows.mail import smtp_settings

    settings = smtp_settings(smtp, sender) if send else None
    run = flow.run_alerts(store, goal, settings=settings, to=_addresses(to), base_url=base_url)
    if run.new.is_empty():
        out.print(f"no new alerts for {goal} as of {run.as_of}", markup=False)
        return
    out.print(f"{run.new.height} new alerts for {goal} as of {run.as_of}:", markup=False)
    for text in run.new["text"]:
        out.print(f"  - {text}", markup=False)
    if run.delivery is not None and settings is not None:
        if run.delivery.sent:
            out.print(f"mailed {len(run.delivery.sent)} message(s)", markup=False)
        _fail_on(run.delivery, settings)


def _addresses(to: str | None) -> list[str] | None:
    if to is None:
        return None
    found = [a.strip() for a in to.split(",") if a.strip()]
    bad = [a for a in found if "@" not in a]
    if bad or not found:
        raise DataopsError(f"--to {to!r}: {', '.join(bad) or 'no address'} is not an e-mail "
                           "address. Fix: --to name@example.com,other@example.com")  # fmt: skip
    return found


def _fail_on(delivery: Delivery, settings: SmtpSettings) -> None:
    if delivery.ok:
        return
    for refusal in delivery.refused:
        err.print(f"refused: {refusal.recipient}: {refusal.reason}", markup=False)
    if delivery.failure:
        err.print(f"error: {delivery.failure}", markup=False)
    if not delivery.sent:
        err.print(f"nothing was sent (server {settings.describe()})", markup=False)
    sys.exit(1)


def _write(text: str, out_file: Path | None) -> None:
    if out_file is None:
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    out_file.write_text(text, encoding="utf-8")
    err.print(f"wrote {out_file}", markup=False)
