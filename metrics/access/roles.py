"""Roles, actions and the permission rule: `can(person, action, team)` and `require(...)`."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from metrics.store.errors import DataopsError


class Role(StrEnum):
    OWNER = "owner"  # the data-operations owner: the plan, the data, the models, access
    LEADERSHIP = "leadership"  # reads everything, adds company-level check-ins
    TEAM_LEAD = "team_lead"  # check-ins and initiatives of the teams named in the grant
    VIEWER = "viewer"  # reads everything, writes nothing


class Action(StrEnum):
    EDIT_GOAL = "edit_goal"
    EDIT_PHASES = "edit_phases"
    EDIT_ASSIGNMENTS = "edit_assignments"
    IMPORT_DATA = "import_data"
    REFIT = "refit"
    MANAGE_ACCESS = "manage_access"
    ADD_CHECKIN = "add_checkin"  # for one team
    ADD_COMPANY_CHECKIN = "add_company_checkin"
    EDIT_INITIATIVES = "edit_initiatives"  # for one team
    MANAGE_SOURCES = "manage_sources"
    SYNC = "sync"
    SEND_DIGEST = "send_digest"


# Actions a team lead may do, and only for the teams of their grant.
TEAM_ACTIONS = frozenset({Action.ADD_CHECKIN, Action.EDIT_INITIATIVES})
COMPANY_ACTIONS = {
    Role.OWNER: frozenset(Action),  # the owner may do everything, for every team
    Role.LEADERSHIP: frozenset({Action.ADD_COMPANY_CHECKIN}),
    Role.TEAM_LEAD: frozenset(),
    Role.VIEWER: frozenset(),
}
ROLE_WORDS = {
    Role.OWNER: "owner (goals, phases, assignments, imports, refits, access)",
    Role.LEADERSHIP: "leadership (reads everything, adds company-level check-ins)",
    Role.TEAM_LEAD: "team lead (check-ins and initiatives of their teams)",
    Role.VIEWER: "viewer (reads everything)",
}


@dataclass(frozen=True)
class Person:
    """Who a request acts as. `local` marks local mode's everyone-is-owner operator, who has no
    grant in the store (so a write does not look them up again)."""

    email: str
    roles: frozenset[Role] = field(default_factory=frozenset)
    teams: frozenset[str] = field(default_factory=frozenset)  # the teams they lead
    local: bool = False

    @classmethod
    def local_owner(cls, name: str) -> Person:
        return cls(name, frozenset({Role.OWNER}), local=True)

    @property
    def has_access(self) -> bool:
        return bool(self.roles)

    def describe(self) -> str:
        words = sorted(str(role) for role in self.roles)
        if Role.TEAM_LEAD in self.roles:
            words = [w if w != "team_lead" else f"team lead of {', '.join(sorted(self.teams))}"
                     for w in words]  # fmt: skip
        return ", ".join(words) or "no access"


class AccessDenied(DataopsError):
    """A person tried an action their role does not allow; nothing was written."""

    exit_code = 5


def can(person: Person | None, action: Action, team: str | None = None) -> bool:
    """May `person` do `action` (for `team`, when the action is one team's)? The only rule."""
    if person is None:
        return False
    if any(action in COMPANY_ACTIONS[role] for role in person.roles):
        return True
    return (
        action in TEAM_ACTIONS
        and Role.TEAM_LEAD in person.roles
        and team is not None
        and team in person.teams
    )


def require(person: Person | None, action: Action, team: str | None = None) -> Person:
    """`person` when they may do `action`; else `AccessDenied` saying who may."""
    if can(person, action, team):
        return person
    who = person.email if person else "nobody signed in"
    what = str(action).replace("_", " ") + (f" for team {team}" if team else "")
    allowed = "the owner" + (
        f" or a team lead of {team}" if action in TEAM_ACTIONS and team else ""
    )
    if action is Action.ADD_COMPANY_CHECKIN:
        allowed += " or leadership"
    held = person.describe() if person else "no access"
    raise AccessDenied(
        f"{who} may not {what} (their access: {held}). Fix: ask an owner; only {allowed} may"
    )
