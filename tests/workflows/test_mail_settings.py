"""Where the SMTP settings come from: flags, then DATAOPS_SMTP_* variables, then [smtp] in
.streamlit/secrets.toml; every problem named at once; the password never shown."""

from __future__ import annotations

import pytest

from metrics.store.errors import DataopsError
from workflows.mail import smtp_settings

SECRETS = '[smtp]\nhost = "file.example.com"\nport = 587\nstarttls = true\nuser = "robot"\n' \
    'password = "file-pw"\nfrom = "file@example.com"\n'  # fmt: skip


@pytest.mark.parametrize(
    ("flags", "env", "expected"),
    [
        ((None, None), {}, ("file.example.com", 587, "file@example.com", "robot", True)),
        ((None, None), {"DATAOPS_SMTP_HOST": "env.example.com", "DATAOPS_SMTP_PORT": "2525",
                        "DATAOPS_SMTP_STARTTLS": "no"},
         ("env.example.com", 2525, "file@example.com", "robot", False)),
        (("10.0.0.1:25", "me@example.com"), {"DATAOPS_SMTP_HOST": "env.example.com"},
         ("10.0.0.1", 25, "me@example.com", "robot", True)),
    ],
)  # fmt: skip
def test_flags_then_variables_then_secrets(tmp_path, flags, env, expected):
    secrets = tmp_path / "secrets.toml"
    secrets.write_text(SECRETS, encoding="utf-8")
    got = smtp_settings(*flags, env=env, secrets_files=(secrets,))
    assert (got.host, got.port, got.sender, got.user, got.starttls) == expected
    assert got.password == "file-pw" and "file-pw" not in repr(got) + got.describe()


def test_every_missing_or_malformed_setting_is_named_at_once(tmp_path):
    with pytest.raises(DataopsError) as refused:
        smtp_settings("nohost", "not-an-address", env={}, secrets_files=())
    said = str(refused.value)
    assert "'nohost' is not HOST:PORT" in said and "'not-an-address' is not an e-mail" in said


def test_a_bad_port_is_named(tmp_path):
    with pytest.raises(DataopsError, match="port 'x' is not a port number"):
        smtp_settings("host:x", "me@example.com", env={}, secrets_files=())
