"""Review meeting, "Send digest": the preview is exactly the message a real SMTP server
(aiosmtpd) receives when the owner presses Send."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

from metrics.contribution.report import build_report
from tests.app_pages.conftest import read_store, start_app
from tests.metrics.contribution_store import DEMO_GOAL
from tests.workflows.smtp_server import smtp_server

PAGE = "app_pages/review_meeting.py"


def open_page(path: Path, monkeypatch, port: int) -> AppTest:
    monkeypatch.setenv("DATAOPS_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("DATAOPS_SMTP_PORT", str(port))
    monkeypatch.setenv("DATAOPS_SMTP_FROM", "cockpit@example.com")
    return start_app(path, monkeypatch, PAGE)


def test_send_digest_mails_exactly_the_preview(copy, monkeypatch):
    teams = read_store(copy, build_report, DEMO_GOAL).teams["team"].to_list()
    with smtp_server() as inbox:
        app = open_page(copy, monkeypatch, inbox.port)
        assert not app.exception
        send = app.button(key="digest-send")
        assert send.disabled  # no recipient yet
        preview = app.code[-1].value
        assert all(f"\n  {team} (" in preview for team in teams)
        app.text_input(key="digest-to").input("lead@example.com, boss@example.com").run()
        app.button(key="digest-send").click().run()
        assert not app.exception and not app.error
    ((_, rcpts, message),) = inbox.messages
    assert rcpts == ["lead@example.com", "boss@example.com"]
    text = message.get_body(preferencelist=("plain",)).get_content()
    assert text.replace("\r\n", "\n").rstrip() == app.code[-1].value.rstrip()
    assert any("Sent" in s.value for s in app.success)


def test_a_refused_recipient_is_named_on_the_page(copy, monkeypatch):
    with smtp_server(refuse={"gone@example.com"}) as inbox:
        app = open_page(copy, monkeypatch, inbox.port)
        app.text_input(key="digest-to").input("gone@example.com").run()
        app.button(key="digest-send").click().run()
    assert inbox.messages == []
    assert any("gone@example.com: 550" in e.value for e in app.error)
