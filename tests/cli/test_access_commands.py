"""`dataops access grant|revoke|list`: what lands in the store, and refusals without tracebacks."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from metrics.access.grants import list_grants
from metrics.store.connection import open_store
from tests.cli.running import run_dataops


@pytest.fixture
def store(tmp_path) -> Path:
    path = tmp_path / "store.duckdb"
    with open_store(path) as con:
        con.execute("insert into teams values ('growth', 'Growth', 'Ops'), ('promo', 'P', 'Ops')")
    return path


@pytest.fixture
def dataops(monkeypatch, capsys, store):
    monkeypatch.setenv("USER", "operator")

    def run(*args: str) -> tuple[int, str, str]:
        return run_dataops(monkeypatch, capsys, *args, "--store", store)

    return run


def test_grant_list_and_revoke(dataops, store):
    assert dataops("access", "grant", "Olga@Example.com", "--role", "owner")[0] == 0
    code, said, _ = dataops(
        "access", "grant", "tim@example.com", "--role", "team_lead", "--team", "growth",
        "--team", "promo",
    )  # fmt: skip
    assert (code, said.strip()) == (0, "tim@example.com is team_lead of growth, promo")
    code, listed, _ = dataops("access", "list", "--format", "json")
    rows = [(r["email"], r["role"], r["team"], r["granted_by"]) for r in json.loads(listed)]
    assert rows == [
        ("olga@example.com", "owner", None, "operator"),
        ("tim@example.com", "team_lead", "growth", "operator"),
        ("tim@example.com", "team_lead", "promo", "operator"),
    ]
    assert dataops("access", "revoke", "tim@example.com")[1].strip() == (
        "revoked 2 grant(s) of tim@example.com"
    )
    with open_store(store, read_only=True) as con:
        assert list_grants(con)["email"].to_list() == ["olga@example.com"]


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["grant", "nobody", "--role", "owner"], "value 'nobody': is not an e-mail address"),
        (
            ["grant", "a@b.co", "--role", "boss"],
            "value 'boss': is not a role. Fix: use one of owner, leadership, team_lead, viewer",
        ),
        (
            ["grant", "a@b.co", "--role", "team_lead", "--team", "ghost"],
            "value 'ghost': is not a team. Fix: use one of growth, promo",
        ),
        (["revoke", "ghost@example.com"], "ghost@example.com has no access to revoke"),
    ],
)
def test_bad_input_is_refused_with_a_message_not_a_traceback(dataops, store, args, says):
    code, _, err = dataops("access", *args)
    assert code != 0
    assert says in err
    assert "Traceback" not in err
    with open_store(store, read_only=True) as con:
        assert list_grants(con).is_empty()
