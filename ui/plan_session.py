"""What the Goals and Phases pages share between reruns: who is making changes, and what the
last save said (shown once after the rerun that follows every write)."""

from __future__ import annotations

import streamlit as st

from ui.access_view import author
from ui.text import md_text


def author_input(page: str) -> str:
    """Who changes are recorded under: the signed-in e-mail (local mode: the OS user), shown so
    nobody wonders; never typed."""
    name = author()
    st.caption(f"Changes you save are recorded as **{name}**, in the goal's history.")
    return name


def show_flash(page: str) -> str | None:
    """Show what the last save said (kept across the rerun after it); return its `opened`."""
    flash = st.session_state.pop(f"{page}-flash", {"said": [], "opened": None})
    for kind, text in flash["said"]:  # plain sentences that quote names: shown as typed
        getattr(st, kind)(md_text(text))
    return flash["opened"]


def finish(page: str, said: list[tuple[str, str]], opened: str | None = None) -> None:
    """After a save: rerun, so the page reads the new store version and its editors start again
    from what is stored (editor keys start with `{page}-editor-`), then show `said`."""
    st.session_state[f"{page}-flash"] = {"said": said, "opened": opened}
    for key in [key for key in st.session_state if str(key).startswith(f"{page}-editor-")]:
        del st.session_state[key]
    st.session_state.pop(f"{page}-confirm", None)
    st.rerun()


def sentences(messages: tuple[str, ...]) -> list[str]:
    """The domain's lower-case notes ("kept 1 hand override(s) ...") as sentences."""
    return [message[:1].upper() + message[1:] + "." for message in messages]
