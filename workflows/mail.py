"""Mail out through a real SMTP server: where the settings come from, and delivery that sends
every message or none.

Settings: the command's own flags first, then `DATAOPS_SMTP_*` variables (HOST, PORT, USER,
PASSWORD, STARTTLS, FROM), then the `[smtp]` table of `.streamlit/secrets.toml` (host, port,
user, password, starttls, from). The password is kept out of every repr and message.
"""

from __future__ import annotations

import os
import smtplib
import ssl
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path

from metrics.store.errors import DataopsError

SECRETS_FILES = (Path(".streamlit/secrets.toml"), Path.home() / ".streamlit" / "secrets.toml")
ENV_PREFIX = "DATAOPS_SMTP_"
TIMEOUT_SECONDS = 30.0


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    sender: str
    user: str | None = None
    password: str | None = field(default=None, repr=False)
    starttls: bool = False

    def describe(self) -> str:
        """Where mail goes, for people to read (never the password)."""
        extras = [word for word, on in (("STARTTLS", self.starttls), ("login", self.user)) if on]
        said = f" with {' and '.join(extras)}" if extras else ""
        return f"{self.host}:{self.port}{said}, from {self.sender}"


@dataclass(frozen=True)
class Outgoing:
    """One message: the same text and HTML to every recipient."""

    subject: str
    recipients: tuple[str, ...]
    text: str
    html: str


@dataclass(frozen=True)
class Refusal:
    recipient: str
    reason: str


@dataclass(frozen=True)
class Delivery:
    sent: tuple[int, ...]  # indexes of the messages delivered
    refused: tuple[Refusal, ...] = ()
    failure: str | None = None  # the server could not be used at all, or stopped mid-way

    @property
    def ok(self) -> bool:
        return not self.refused and self.failure is None


def smtp_settings(
    smtp: str | None = None,
    sender: str | None = None,
    *,
    env: Mapping[str, str] | None = None,
    secrets_files: tuple[Path, ...] = SECRETS_FILES,
) -> SmtpSettings:
    """The settings to send with; every missing or malformed one named in one refusal."""
    env = os.environ if env is None else env
    table = _secrets_table(secrets_files)

    def pick(key: str, file_key: str | None = None) -> str | None:
        value = env.get(ENV_PREFIX + key.upper()) or table.get(file_key or key)
        return None if value is None or str(value).strip() == "" else str(value).strip()

    problems = []
    host, port = pick("host"), pick("port")
    if smtp:
        host, _, port = smtp.rpartition(":")
        if not host:
            problems.append(f"mail server {smtp!r} is not HOST:PORT. Fix: e.g. 127.0.0.1:25")
    if not host:
        problems.append("no mail server is set up. Fix: <<give_mail_server>>")
    number = _port(port or "25", problems)
    sender = sender or pick("from")
    if not sender or "@" not in sender:
        problems.append(f"sender {sender!r} is not an e-mail address. Fix: <<give_sender>>")
    if problems:
        raise DataopsError("; ".join(problems))
    starttls = (pick("starttls") or "false").lower() in ("1", "true", "yes", "on")
    user = pick("user") or (str(table["username"]) if table.get("username") else None)
    return SmtpSettings(host, number, sender, user, pick("password"), starttls)


def _secrets_table(files: tuple[Path, ...]) -> dict:
    for path in files:
        if path.is_file():
            try:
                return dict(tomllib.loads(path.read_text(encoding="utf-8")).get("smtp", {}))
            except tomllib.TOMLDecodeError as error:
                raise DataopsError(f"{path} is not valid TOML ({error}). Fix: correct it") from None
    return {}


def _port(text: str, problems: list[str]) -> int:
    if text.isdigit() and 0 < int(text) < 65536:
        return int(text)
    problems.append(f"SMTP port {text!r} is not a port number. Fix: a number from 1 to 65535")
    return 0


def as_email(message: Outgoing, sender: str) -> EmailMessage:
    """A multipart/alternative message: the plain text first, the HTML as the richer part."""
    email = EmailMessage()
    email["Subject"] = message.subject
    email["From"] = sender
    email["To"] = ", ".join(message.recipients)
    email["Date"] = formatdate(localtime=False)
    email["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or None)
    email.set_content(message.text)
    email.add_alternative(message.html, subtype="html")
    return email


def deliver(settings: SmtpSettings, messages: list[Outgoing]) -> Delivery:
    """Send `messages` in one session. Every recipient of every message is checked with the
    server first (MAIL/RCPT, then RSET); if any is refused nothing is sent, so a fixed address
    and a re-run never mail anyone twice."""
    try:
        with smtplib.SMTP(settings.host, settings.port, timeout=TIMEOUT_SECONDS) as smtp:
            _open(smtp, settings)
            refused = _check_recipients(smtp, settings.sender, messages)
            if refused:
                return Delivery((), refused)
            return _send_all(smtp, settings.sender, messages)
    except smtplib.SMTPAuthenticationError as error:
        return Delivery((), failure=f"the server refused the login of {settings.user}: "
                        f"{_said(error.smtp_code, error.smtp_error)}")  # fmt: skip
    except (smtplib.SMTPException, OSError) as error:
        return Delivery((), failure=f"could not use {settings.host}:{settings.port}: {error}")


def _open(smtp: smtplib.SMTP, settings: SmtpSettings) -> None:
    smtp.ehlo()
    if settings.starttls:
        smtp.starttls(context=ssl.create_default_context())
        smtp.ehlo()
    if settings.user:
        smtp.login(settings.user, settings.password or "")


def _check_recipients(smtp: smtplib.SMTP, sender: str, messages: list[Outgoing]):
    refused: dict[str, Refusal] = {}
    for message in messages:
        code, said = smtp.mail(sender)
        if code != 250:
            raise smtplib.SMTPSenderRefused(code, said, sender)
        for recipient in message.recipients:
            code, said = smtp.rcpt(recipient)
            if code not in (250, 251):
                refused[recipient] = Refusal(recipient, _said(code, said))
        smtp.rset()
    return tuple(refused.values())


def _send_all(smtp: smtplib.SMTP, sender: str, messages: list[Outgoing]) -> Delivery:
    sent: list[int] = []
    for index, message in enumerate(messages):
        try:
            late = smtp.send_message(as_email(message, sender), sender, list(message.recipients))
        except smtplib.SMTPRecipientsRefused as error:
            refusals = [Refusal(r, _said(c, s)) for r, (c, s) in error.recipients.items()]
            return Delivery(tuple(sent), tuple(refusals))
        except smtplib.SMTPResponseException as error:
            return Delivery(tuple(sent), failure=f"the server stopped {message.subject!r}: "
                            f"{_said(error.smtp_code, error.smtp_error)}")  # fmt: skip
        if late:  # accepted at the check, refused now: it went to the others only, so say so
            sent.append(index)
            return Delivery(
                tuple(sent), tuple(Refusal(r, _said(c, s)) for r, (c, s) in late.items())
            )
        sent.append(index)
    return Delivery(tuple(sent))


def _said(code: int, text: bytes | str) -> str:
    words = text.decode(errors="replace") if isinstance(text, bytes) else str(text)
    return f"{code} {words}".strip()
