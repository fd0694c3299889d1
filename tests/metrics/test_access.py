"""Roles, grants and the one permission check (metrics.access)."""

from __future__ import annotations

import pytest

from metrics.access.grants import grant, list_grants, person_for, revoke
from metrics.access.guard import authorise
from metrics.access.roles import AccessDenied, Action, Person, Role, can, require
from metrics.store.errors import DataopsError, ValidationFailed

OWNER = Person("olga@example.com", frozenset({Role.OWNER}))
LEADER = Person("lee@example.com", frozenset({Role.LEADERSHIP}))
LEAD = Person("tim@example.com", frozenset({Role.TEAM_LEAD}), frozenset({"growth"}))
VIEWER = Person("vic@example.com", frozenset({Role.VIEWER}))
PEOPLE = {"owner": OWNER, "leadership": LEADER, "team_lead": LEAD, "viewer": VIEWER, "none": None}

# role x action x team -> allowed. Team-scoped actions are asked for the lead's own team
# ("growth") and another one ("promo").
PERMISSIONS = [
    *[("owner", action, team, True) for action in Action for team in (None, "promo")],
    ("leadership", Action.ADD_COMPANY_CHECKIN, None, True),
    ("leadership", Action.ADD_CHECKIN, "growth", False),
    ("leadership", Action.EDIT_GOAL, None, False),
    ("leadership", Action.IMPORT_DATA, None, False),
    ("team_lead", Action.ADD_CHECKIN, "growth", True),
    ("team_lead", Action.EDIT_INITIATIVES, "growth", True),
    ("team_lead", Action.ADD_CHECKIN, "promo", False),
    ("team_lead", Action.EDIT_INITIATIVES, "promo", False),
    ("team_lead", Action.ADD_CHECKIN, None, False),
    ("team_lead", Action.ADD_COMPANY_CHECKIN, None, False),
    *[
        ("team_lead", action, None, False)
        for action in Action
        if action not in (Action.ADD_CHECKIN, Action.EDIT_INITIATIVES)
    ],
    *[("viewer", action, "growth", False) for action in Action],
    *[("none", action, "growth", False) for action in Action],
]


@pytest.mark.parametrize(("who", "action", "team", "allowed"), PERMISSIONS)
def test_each_role_may_do_only_its_actions(who, action, team, allowed):
    person = PEOPLE[who]
    assert can(person, action, team) is allowed
    if allowed:
        assert require(person, action, team) is person
    else:
        with pytest.raises(AccessDenied, match="Fix: ask an owner"):
            require(person, action, team)


def test_a_refusal_says_who_tried_what_and_who_may():
    with pytest.raises(AccessDenied) as refused:
        require(LEAD, Action.ADD_CHECKIN, "promo")
    assert str(refused.value) == (
        "tim@example.com may not add checkin for team promo (their access: team lead of "
        "growth). Fix: ask an owner; only the owner or a team lead of promo may"
    )


@pytest.fixture
def teams(con):
    con.executemany(
        "insert into teams values (?, ?, ?)",
        [("growth", "Growth", "Ops"), ("promo", "Promotions", "Ops")],  # and unassigned
    )
    return con


def test_grants_add_up_to_a_person_and_revoke_removes_them_all(teams):
    assert grant(teams, "Tim@Example.com ", "team_lead", ["growth", "promo"], "olga") == 2
    assert grant(teams, "tim@example.com", "team_lead", ["growth"], "olga") == 0  # held already
    assert grant(teams, "tim@example.com", "viewer", [], "olga") == 1
    person = person_for(teams, "TIM@example.com")
    assert person == Person(
        "tim@example.com", frozenset({Role.TEAM_LEAD, Role.VIEWER}), frozenset({"growth", "promo"})
    )
    listed = list_grants(teams)
    assert listed.columns == ["email", "role", "team", "granted_by", "granted_at"]
    assert listed.select("role", "team").rows() == [
        ("team_lead", "growth"), ("team_lead", "promo"), ("viewer", None)
    ]  # fmt: skip
    assert revoke(teams, "tim@example.com") == 3
    assert person_for(teams, "tim@example.com") is None


@pytest.mark.parametrize(
    ("email", "role", "team_ids", "expected"),
    [
        ("not-an-email", "owner", [], [("email", "not-an-email", "is not an e-mail address")]),
        ("a@b.co", "boss", [], [("role", "boss", "is not a role")]),
        ("a@b.co", "team_lead", [], [("team", "", "a team lead needs at least one team")]),
        ("a@b.co", "team_lead", ["growth", "ghost"], [("team", "ghost", "is not a team")]),
        ("a@b.co", "team_lead", ["unassigned"], [("team", "unassigned", "is not a team")]),
        (
            "a@b.co",
            "viewer",
            ["growth"],
            [("team", "growth", "role viewer is company-wide and takes no team")],
        ),
        (
            "a b@c",
            "chief",
            ["nope"],
            [
                ("email", "a b@c", "is not an e-mail address"),
                ("role", "chief", "is not a role"),
                ("team", "nope", "is not a team"),
            ],
        ),
    ],
)
def test_bad_grants_are_refused_with_every_problem_and_nothing_written(
    teams, email, role, team_ids, expected
):
    with pytest.raises(ValidationFailed) as refused:
        grant(teams, email, role, team_ids, "olga")
    assert [(p.column, p.value, p.message) for p in refused.value.problems] == expected
    assert list_grants(teams).is_empty()


def test_revoking_an_unknown_email_says_so(teams):
    with pytest.raises(DataopsError, match=r"ghost@example\.com has no access to revoke"):
        revoke(teams, "ghost@example.com")


def test_authorise_reads_the_grants_again_so_a_revoked_lead_is_stopped(teams):
    grant(teams, "tim@example.com", "team_lead", ["growth"], "olga")
    drawn_as = person_for(teams, "tim@example.com")
    assert authorise(teams, drawn_as, Action.ADD_CHECKIN, "growth").email == "tim@example.com"
    revoke(teams, "tim@example.com")
    with pytest.raises(AccessDenied, match=r"their access: no access"):
        authorise(teams, drawn_as, Action.ADD_CHECKIN, "growth")


def test_local_modes_operator_is_the_owner_without_a_grant(teams):
    local = Person.local_owner("ana")
    assert authorise(teams, local, Action.MANAGE_ACCESS).email == "ana"
