"""`dataops digest` and `dataops alerts` against a real SMTP server (aiosmtpd) on the demo
company with its goal's baseline frozen: what arrives, to whom, and what is refused."""

from __future__ import annotations

import shutil

import pytest

from metrics.access.grants import grant
from metrics.contribution.report import build_report
from metrics.contribution.wording import status_text
from metrics.plan.checkins import add_checkin
from metrics.store.connection import open_store
from tests.cli.running import run_dataops
from tests.workflows.smtp_server import self_signed, smtp_server

BASE = "https://cockpit.example.com"


@pytest.fixture
def store(demo_goal_store, tmp_path):
    path = tmp_path / "demo.duckdb"
    shutil.copyfile(demo_goal_store, path)
    return path


@pytest.fixture(scope="module")
def demo_report(demo_goal_store):
    with open_store(demo_goal_store, read_only=True) as con:
        (goal,) = con.execute("select goal from goals").fetchall()[0]
        return build_report(con, goal)


def dataops(capsys, monkeypatch, *args: str) -> tuple[int, str, str]:
    return run_dataops(monkeypatch, capsys, *args)


def send_args(store, goal, port, *more):
    return ("--goal", goal, "--store", str(store), "--send", "--smtp", f"127.0.0.1:{port}",
            "--from", "cockpit@example.com", "--base-url", BASE, *more)  # fmt: skip


def parts(message) -> dict[str, str]:
    return {part.get_content_type(): part.get_content() for part in message.iter_parts()}


def test_one_message_reaches_both_recipients_with_text_and_html(
    store, demo_report, capsys, monkeypatch
):
    goal = demo_report.goal.id
    with smtp_server() as inbox:
        args = send_args(store, goal, inbox.port, "--to", "b@example.com,c@example.com")
        code, out, err = dataops(capsys, monkeypatch, "digest", *args)
    assert (code, err) == (0, "")
    ((sender, rcpts, message),) = inbox.messages  # one message, both recipients on it
    assert sender == "cockpit@example.com" and rcpts == ["b@example.com", "c@example.com"]
    assert goal in message["Subject"] and message["To"] == "b@example.com, c@example.com"
    body = parts(message)
    assert set(body) == {"text/plain", "text/html"}
    as_of = demo_report.as_of.isoformat()
    for row in demo_report.teams.iter_rows(named=True):
        assert f"{row['team']} ({row['department']}): {status_text(row['status'])}" in body[
            "text/plain"]  # fmt: skip
        link = f"{BASE}/team?team={row['team']}&amp;goal={goal}&amp;as_of={as_of}"
        assert f"href='{link}'" in body["text/html"]
    assert f"sent {message['Subject']!r} to b@example.com, c@example.com" in out


def test_a_refused_recipient_is_named_and_nobody_gets_a_half_sent_digest(
    store, demo_report, capsys, monkeypatch
):
    with smtp_server(refuse={"gone@example.com"}) as inbox:
        args = send_args(store, demo_report.goal.id, inbox.port,
                         "--to", "b@example.com,gone@example.com")  # fmt: skip
        code, _, err = dataops(capsys, monkeypatch, "digest", *args)
    assert code == 1
    assert "refused: gone@example.com: 550 5.1.1 mailbox unavailable" in err
    assert "nothing was sent" in err and inbox.messages == []


def test_the_next_digest_says_what_changed_since_the_last_one_sent(
    store, demo_report, capsys, monkeypatch
):
    goal = demo_report.goal.id
    team = demo_report.teams["team"][0]
    with smtp_server() as inbox:
        args = send_args(store, goal, inbox.port, "--to", "b@example.com")
        assert dataops(capsys, monkeypatch, "digest", *args)[0] == 0
        with open_store(store) as con:
            add_checkin(con, team, goal, "Ann", "off_track", problems="Stock ran out")
        assert dataops(capsys, monkeypatch, "digest", *args)[0] == 0
    first, second = (parts(m)["text/plain"] for _, _, m in inbox.messages)
    assert "no digest was sent before" in first and "Stock ran out" not in first
    assert "new problem:" in second and "Ann: Stock ran out" in second
    assert "no change since the last digest" in second


def test_alerts_are_mailed_once_and_listed_once(store, demo_report, capsys, monkeypatch):
    goal = demo_report.goal.id
    listing = ("alerts", "--goal", goal, "--store", str(store))
    code, out, _ = dataops(capsys, monkeypatch, *listing)
    assert code == 0 and "new alerts" in out and "data late" not in out
    assert "cannibalisation" in out.lower() and "days late" in out
    assert dataops(capsys, monkeypatch, *listing)[1].startswith("no new alerts")
    with smtp_server() as inbox:
        args = send_args(store, goal, inbox.port, "--to", "ops@example.com")
        first = dataops(capsys, monkeypatch, "alerts", *args[2:], "--goal", goal)
        again = dataops(capsys, monkeypatch, "alerts", *args[2:], "--goal", goal)
    assert first[0] == 0 and again[0] == 0 and "no new alerts" in again[1]
    ((_, rcpts, message),) = inbox.messages  # listing did not count as mailing; mailed once
    assert rcpts == ["ops@example.com"] and goal in message["Subject"]
    assert set(parts(message)) == {"text/plain", "text/html"}


def test_without_to_and_without_grants_the_digest_asks_for_addresses(
    store, demo_report, capsys, monkeypatch
):
    code, _, err = dataops(capsys, monkeypatch, "digest", *send_args(store, demo_report.goal.id, 1))
    assert code != 0 and "--to" in err and "no grant names anyone" in err


def test_grants_send_the_company_digest_to_leadership_and_a_team_digest_to_its_lead(
    store, demo_report, capsys, monkeypatch
):
    team = demo_report.teams["team"][0]
    with open_store(store) as con:
        grant(con, "boss@example.com", "leadership", [], "test")
        grant(con, "lead@example.com", "team_lead", [team], "test")
    with smtp_server() as inbox:
        code, _, err = dataops(capsys, monkeypatch, "digest",
                               *send_args(store, demo_report.goal.id, inbox.port))  # fmt: skip
    assert (code, err) == (0, "")
    (company,), (lead,) = inbox.to("boss@example.com"), inbox.to("lead@example.com")
    assert f"team {team}" in lead["Subject"] and "team " not in company["Subject"]
    others = set(demo_report.teams["team"]) - {team}
    assert all(f"\n  {t} (" not in parts(lead)["text/plain"] for t in others)
    assert all(f"\n  {t} (" in parts(company)["text/plain"] for t in others)


def test_login_when_configured_and_the_password_is_never_printed(
    store, demo_report, capsys, monkeypatch
):
    monkeypatch.setenv("DATAOPS_SMTP_USER", "robot")
    goal = demo_report.goal.id
    with smtp_server(login=("robot", "s3cret-pw")) as inbox:
        args = send_args(store, goal, inbox.port, "--to", "b@example.com")
        monkeypatch.setenv("DATAOPS_SMTP_PASSWORD", "wrong-pw")
        code, out, err = dataops(capsys, monkeypatch, "digest", *args)
        assert code == 1 and "refused the login of robot" in err
        assert "wrong-pw" not in out + err and inbox.messages == []
        monkeypatch.setenv("DATAOPS_SMTP_PASSWORD", "s3cret-pw")
        code, out, err = dataops(capsys, monkeypatch, "digest", *args)
    assert code == 0 and len(inbox.messages) == 1 and "s3cret-pw" not in out + err


def test_starttls_and_login_when_configured(store, demo_report, capsys, monkeypatch, tmp_path):
    context, cert = self_signed(tmp_path)
    monkeypatch.setenv("SSL_CERT_FILE", cert)  # the client trusts the test's own certificate
    (tmp_path / ".streamlit").mkdir()
    (tmp_path / ".streamlit" / "secrets.toml").write_text(
        '[smtp]\nstarttls = true\nuser = "robot"\npassword = "s3cret-pw"\n', encoding="utf-8"
    )
    monkeypatch.chdir(tmp_path)  # where the app and the command read .streamlit/secrets.toml
    with smtp_server(login=("robot", "s3cret-pw"), tls=context) as inbox:
        args = send_args(store, demo_report.goal.id, inbox.port, "--to", "b@example.com")
        code, out, err = dataops(capsys, monkeypatch, "digest", *args)
    assert (code, err) == (0, "") and len(inbox.messages) == 1
    assert "s3cret-pw" not in out
