"""The Review meeting's "Send digest": who may send, the preview, and the send itself.

The preview is a `PreparedDigest` (subject, recipients, text and HTML parts) and the Send button
mails that very object through `workflows.digest.send_digests`, so what is shown is what goes.
"""

from __future__ import annotations

import datetime as dt
import os

import streamlit as st

from metrics.access.roles import Action
from metrics.store.errors import DataopsError
from ui.access_view import allowed
from ui.store_access import authorised, read, store_path
from ui.text import md_text
from ui.words import say
from workflows import digest as flow
from workflows.mail import SmtpSettings, smtp_settings

COMPANY = "The company (every team)"


def may_send_digest() -> bool:
    """Owners send digests (in local mode everyone is the owner); the send checks again."""
    return allowed(Action.SEND_DIGEST)


def base_url() -> str:
    return os.environ.get("DATAOPS_BASE_URL") or flow.DEFAULT_BASE_URL


def settings_or_reason() -> tuple[SmtpSettings | None, str]:
    """The mail server from secrets or DATAOPS_SMTP_* variables, or why there is none."""
    try:
        settings = smtp_settings()
    except DataopsError as error:
        return None, f"Mail is not set up: {say(error)}."
    return settings, f"Sends through {settings.describe()}."


def addresses(text: str) -> tuple[list[str], list[str]]:
    """Recipients typed as a comma or line list: (addresses, entries that are not addresses)."""
    found = [a.strip() for a in text.replace("\n", ",").split(",") if a.strip()]
    return [a for a in found if "@" in a], [a for a in found if "@" not in a]


def preview(goal: str, as_of: dt.date, team: str | None, emails: list[str]):
    digest = read(flow.load_digest, goal, as_of, team, base_url())
    return flow.prepared(digest, emails)


def send_section(goal: str, as_of: dt.date, teams: list[str]) -> None:
    """Scope, recipients, the exact preview, and Send (disabled until it can go)."""
    scope = st.selectbox("Digest of", [COMPANY, *teams], key="digest-scope")
    typed = st.text_input("Send to", key="digest-to", placeholder="lead@example.com, ceo@…")
    emails, bad = addresses(typed)
    if bad:
        st.error(
            f"Not e-mail addresses: {', '.join(bad)}. Fix: name@example.com, separated by commas."
        )
    settings, said = settings_or_reason()
    st.caption(said)
    message = preview(goal, as_of, None if scope == COMPANY else scope, emails)
    to = md_text(", ".join(emails)) or "—"
    st.markdown(f"**Subject:** {md_text(message.subject)}  \n**To:** {to}")
    text_tab, html_tab = st.tabs(["Plain text part", "HTML part"])
    text_tab.code(message.text, language=None)
    with html_tab:
        st.html(message.html)
    ready = settings is not None and emails and not bad
    if st.button("Send digest", key="digest-send", disabled=not ready, icon=":material/send:"):
        _send(settings, message)


def _send(settings: SmtpSettings, message) -> None:
    try:
        authorised(Action.SEND_DIGEST)  # checked on the server too, not only by hiding the button
    except DataopsError as error:
        st.error(f"Not sent: {say(error)}")
        return
    outcome = flow.send_digests(store_path(), settings, [message])
    if outcome.ok:
        st.success(f"Sent “{message.subject}” to {', '.join(message.recipients)}.")
        return
    lines = [f"- {r.recipient}: {r.reason}" for r in outcome.delivery.refused]
    if outcome.delivery.failure:
        lines.append(f"- {outcome.delivery.failure}")
    sent = "It was sent to nobody." if not outcome.sent else "It went out only as listed above."
    st.error("The digest was not sent:\n" + "\n".join(lines) + f"\n\n{sent}")
