"""Who is using the app: the one function that says which `Person` a session acts as.

Two modes, decided by `.streamlit/secrets.toml`:

- **Signed in** (an `[auth]` section): the person is `st.user.email` with the grants the store
  holds for it; someone signed in without a grant is a person with no roles.
- **Local mode** (no `[auth]`): a tool on one machine. Whoever opens the app is the owner, named
  by the OS user. Setting `DATAOPS_LOCAL_AS=EMAIL` makes the session act as that e-mail's grants
  instead, exactly as if it had signed in: how the tests (and an owner trying out a role) reach
  every role without an identity provider. It is ignored with sign-in configured, where only the
  identity provider says who someone is.

Every write asks this module who is writing (`ui.store_access.write`), so the author recorded is
always the person, never text typed into a box.
"""

from __future__ import annotations

import getpass
import ipaddress
import os

import streamlit as st

from metrics.access.grants import normalise_email, person_for
from metrics.access.roles import Person
from metrics.store.connection import open_store, store_path_from_env, store_version

LOCAL_AS = "DATAOPS_LOCAL_AS"
SERVE_OPEN = "DATAOPS_SERVE_WITHOUT_SIGN_IN"  # "yes": local mode answers other hosts too


def sign_in_configured() -> bool:
    return st.secrets.load_if_toml_exists() and "auth" in st.secrets


def signed_in() -> bool:
    return bool(st.user.is_logged_in)


def current_person() -> Person | None:
    """The person this session acts as; None when sign-in is configured and nobody signed in.
    A person without a grant has no roles (`has_access` is False)."""
    if sign_in_configured():
        if not signed_in():
            return None
        return _granted(str(st.user.get("email") or ""))
    if acting := os.environ.get(LOCAL_AS, "").strip():
        return _granted(acting)
    return Person.local_owner(os_user())


def os_user() -> str:
    try:
        return os.environ.get("USER") or getpass.getuser()
    except (KeyError, OSError):
        return "local operator"


def _granted(email: str) -> Person:
    email = normalise_email(email)
    path = store_path_from_env()
    if not email or not path.exists():
        return Person(email)
    return _grants_of(str(path), store_version(path), email) or Person(email)


@st.cache_data(show_spinner=False, max_entries=256)
def _grants_of(path: str, version: tuple, email: str) -> Person | None:
    # cached per store version: a grant or revoke from any process starts a new entry
    with open_store(path, read_only=True) as con:
        return person_for(con, email)


def open_to_other_hosts() -> bool:
    """True when local mode is asked to answer a browser on another host (or bind to all
    addresses) without the explicit `DATAOPS_SERVE_WITHOUT_SIGN_IN=yes`."""
    if os.environ.get(SERVE_OPEN, "").strip().lower() == "yes":
        return False
    address = st.get_option("server.address")
    host = st.context.headers.get("Host", "") if st.context.headers else ""
    return (address is not None and not _loopback(address)) or (
        bool(host) and not _loopback(_host_name(host))
    )


def _host_name(host: str) -> str:
    if host.startswith("["):  # [::1]:8501
        return host[1:].split("]")[0]
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host


def _loopback(name: str) -> bool:
    if name in ("localhost", ""):
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False
