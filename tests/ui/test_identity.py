"""Local mode's guard: loopback only, unless the explicit setting says otherwise."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit import config
from streamlit.testing.v1 import AppTest

from ui import identity

APP = str(Path(__file__).resolve().parents[2] / "app.py")


@pytest.mark.parametrize(
    ("host", "loopback"),
    [
        ("localhost:8501", True),
        ("127.0.0.1:8501", True),
        ("127.0.1.1", True),
        ("[::1]:8501", True),
        ("192.168.1.20:8501", False),
        ("cockpit.example.com", False),
        ("[2001:db8::1]:8501", False),
    ],
)
def test_a_host_is_loopback_only_when_it_names_this_machine(host, loopback):
    assert identity._loopback(identity._host_name(host)) is loopback


@pytest.fixture
def all_interfaces():
    before = config.get_option("server.address")
    config.set_option("server.address", "0.0.0.0")
    yield
    config.set_option("server.address", before)


@pytest.mark.parametrize(("setting", "refused"), [(None, True), ("yes", False)])
def test_local_mode_bound_to_every_interface_needs_the_explicit_setting(
    store_path, monkeypatch, all_interfaces, setting, refused
):
    monkeypatch.setenv("DATAOPS_STORE", str(store_path))
    if setting is None:
        monkeypatch.delenv(identity.SERVE_OPEN, raising=False)
    else:
        monkeypatch.setenv(identity.SERVE_OPEN, setting)
    app = AppTest.from_file(APP, default_timeout=60).run()

    assert not app.exception
    said = " ".join(e.value for e in app.error)
    assert ("only answers on this machine" in said) is refused
