"""The one check every write passes, inside the unit of work that writes."""

from __future__ import annotations

import duckdb

from metrics.access.grants import person_for
from metrics.access.roles import Action, Person, require


def authorise(
    con: duckdb.DuckDBPyConnection, person: Person | None, action: Action, team: str | None = None
) -> Person:
    """`person` as the store knows them now, when they may do `action` (for `team`); else
    `AccessDenied`. Their grants are read again from `con`, so a grant revoked after a page was
    drawn still stops the write. Local mode's operator has no grant to read."""
    if person is not None and not person.local:
        person = person_for(con, person.email) or Person(person.email)
    return require(person, action, team)
