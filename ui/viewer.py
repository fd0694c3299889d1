"""Who is looking: the one place pages ask whether the viewer may see server details."""

from __future__ import annotations


def viewer_is_owner() -> bool:
    """Whether the viewer may see the server's details (the store's path, other processes'
    command lines). Without sign-in the app is a local tool and everyone is the owner, so this
    is True; with sign-in it becomes "the signed-in person has the owner role"
    (metrics.access, wired at merge)."""
    return True
