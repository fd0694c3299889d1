"""The door of the app: sign-in, the no-access page, local mode's banner, and what pages ask
before drawing a control (`allowed`). Who the person is comes from `ui.identity` alone."""

from __future__ import annotations

import contextlib

import streamlit as st

from metrics.access.roles import Action, Person, can
from metrics.store.connection import store_path_from_env, store_version
from metrics.store.errors import DataopsError
from ui import identity
from ui.store_access import prepare_store

# Streamlit brings a signed-in browser back to "/"; the page it was sent from is kept in the
# tab's sessionStorage meanwhile, so a deep link (/team?team=ID&goal=G) survives the round trip.
_AFTER_SIGN_IN = "dataops-after-sign-in"
_REMEMBER = f"""<script>
sessionStorage.setItem("{_AFTER_SIGN_IN}", window.location.pathname + window.location.search);
</script>"""
_RETURN = f"""<script>
const wanted = sessionStorage.getItem("{_AFTER_SIGN_IN}");
sessionStorage.removeItem("{_AFTER_SIGN_IN}");
if (wanted && wanted !== window.location.pathname + window.location.search) {{
  window.location.replace(wanted);
}}
</script>"""


def gate() -> bool:
    """Draw the sign-in, no-access or refusal page and return False; True lets the app run."""
    if not identity.sign_in_configured() and identity.open_to_other_hosts():
        st.error(
            "This cockpit runs in local mode (no sign-in is configured), where everyone who "
            "opens it is the owner, so it only answers on this machine (127.0.0.1). Configure "
            "sign-in (`[auth]` in `.streamlit/secrets.toml`, see the README), or set "
            f"`{identity.SERVE_OPEN}=yes` if every person who can reach it may change everything."
        )
        return False
    path = store_path_from_env()
    if path.exists():
        with contextlib.suppress(DataopsError):  # the sidebar says what is wrong with the store
            prepare_store(str(path), store_version(path))  # grants live in the migrated store
    person = identity.current_person()
    if person is None:
        sign_in_page()
        return False
    if not person.has_access:
        no_access_page(person)
        return False
    if identity.sign_in_configured():
        st.html(_RETURN, unsafe_allow_javascript=True)
    return True


def sign_in_page() -> None:
    st.title("Data Operations Cockpit")
    st.markdown("Sign in to see the company goal and your team's contribution.")
    st.html(_REMEMBER, unsafe_allow_javascript=True)
    st.button("Sign in", type="primary", icon=":material/login:", on_click=st.login)


def no_access_page(person: Person) -> None:
    st.title("Ask an owner for access")
    who = person.email or "Your sign-in did not give an e-mail address, so you"
    st.markdown(
        f"You are signed in as **{who}**, but have no access to the cockpit yet. Ask the "
        "data-operations owner to grant you a role (they can do it in the Access tab of the Data "
        "page)."
    )
    st.button("Sign out", icon=":material/logout:", on_click=st.logout)


def sidebar_identity() -> None:
    """Inside the sidebar: who this is, and local mode's banner."""
    person = identity.current_person()
    if person is None:
        return
    if identity.sign_in_configured():
        st.caption(f"Signed in as **{person.email}** ({person.describe()})")
        st.button("Sign out", icon=":material/logout:", on_click=st.logout, key="sign-out")
    elif person.local:
        st.markdown(":orange-badge[:material/lock_open: Local mode]")
        st.caption(
            "No sign-in is configured: everyone who opens this cockpit is the owner, and it "
            f"answers on this machine only. Changes are recorded as **{person.email}**."
        )
    else:
        st.markdown(":orange-badge[:material/lock_open: Local mode]")
        st.caption(
            f"Acting as **{person.email}** ({person.describe()}), set by `{identity.LOCAL_AS}`."
        )


def allowed(action: Action, team: str | None = None) -> bool:
    """May this session's person do `action` (for `team`)? For drawing controls only: the write
    itself is checked again on the server (`ui.store_access.write`)."""
    return can(identity.current_person(), action, team)


def author() -> str:
    """What a change is recorded under: the person's e-mail (local mode: the OS user)."""
    person = identity.current_person()
    return person.email if person else ""
