"""A real SMTP server (aiosmtpd) on a free loopback port, keeping what it receives.

with smtp_server(refuse={"bad@example.com"}, login=("robot", "s3cret")) as inbox:
    ... send to 127.0.0.1:inbox.port ...
    inbox.messages   # [(mail_from, rcpt_tos, email.message.EmailMessage)]
"""

from __future__ import annotations

import contextlib
import email
import email.policy
import shutil
import socket
import ssl
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest

aiosmtpd = pytest.importorskip(
    "aiosmtpd", reason="aiosmtpd is not installed (pip install -e '.[test]')"
)
from aiosmtpd.controller import Controller  # noqa: E402
from aiosmtpd.smtp import AuthResult, LoginPassword  # noqa: E402


@dataclass
class Inbox:
    refuse: set[str] = field(default_factory=set)
    messages: list = field(default_factory=list)
    port: int = 0

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return "550 5.1.1 mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        parsed = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.messages.append((envelope.mail_from, list(envelope.rcpt_tos), parsed))
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list:
        return [m for _, rcpts, m in self.messages if address in rcpts]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def smtp_server(
    refuse=(), login: tuple[str, str] | None = None, tls: ssl.SSLContext | None = None
) -> Iterator[Inbox]:
    """`tls`: offer STARTTLS with this context and require it before anything else."""
    inbox = Inbox(set(refuse))
    extra: dict = {"tls_context": tls, "require_starttls": True} if tls else {}
    if login:

        def check(server, session, envelope, mechanism, auth_data):
            ok = isinstance(auth_data, LoginPassword) and (
                auth_data.login.decode(), auth_data.password.decode()) == login  # fmt: skip
            return AuthResult(success=ok, handled=False)  # handled=False: the server says 535

        extra |= {"authenticator": check, "auth_required": True, "auth_require_tls": bool(tls)}
    inbox.port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=inbox.port, **extra)
    controller.start()
    try:
        yield inbox
    finally:
        controller.stop()


def self_signed(folder) -> tuple[ssl.SSLContext, str]:
    """A server context for 127.0.0.1 with a fresh self-signed certificate, and the certificate's
    path (for the client to trust through SSL_CERT_FILE). Needs the openssl command."""
    if shutil.which("openssl") is None:
        pytest.skip("openssl is not installed (apt-get install openssl)")
    key, cert = folder / "key.pem", folder / "cert.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
         "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True,
    )  # fmt: skip
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    return context, str(cert)
