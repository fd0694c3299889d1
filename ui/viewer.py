"""Who is looking: the one place pages ask whether the viewer may see server details."""

from __future__ import annotations

from metrics.access.roles import Action, can


def viewer_is_owner() -> bool:
    """Whether the viewer may see the server's details (the store's path, other processes'
    command lines): owners only. Without sign-in the app is a local tool and everyone is the
    owner; with it, the signed-in person's grants decide."""
    from ui.identity import current_person  # here: ui/__init__ imports this module early

    person = current_person()
    return person is not None and can(person, Action.MANAGE_ACCESS)
