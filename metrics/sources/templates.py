"""URI templates: `${VAR}` references expanded from the environment at sync time only.

The store keeps the template, so a password lives in the environment (or libpq's own PGPASSWORD
and ~/.pgpass) and never in the store file. A URI written with a literal password is refused at
`source add`, and every message that could carry an expanded URI is scrubbed of the values.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from metrics.store.errors import DataopsError

_VAR = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")
_USERINFO_PASSWORD = re.compile(
    r"(?P<head>\b[a-z][a-z0-9+.-]*://[^/@:\s]*:)(?P<secret>[^/@\s]*)(?=@)", re.I
)
_PASSWORD_PARAM = re.compile(r"(?P<head>[?&](?:password|pass|pwd)=)(?P<secret>[^&\s]*)", re.I)
MASK = "***"


class SourceRefused(DataopsError):
    """A source definition that cannot be stored as given."""

    exit_code = 2


@dataclass(frozen=True)
class Expanded:
    """A template with its references filled in, and the values to scrub from any message."""

    uri: str
    secrets: tuple[str, ...]

    def scrub(self, text: str) -> str:
        for secret in sorted(self.secrets, key=len, reverse=True):
            if secret:
                text = text.replace(secret, MASK)
        return mask(text)


def references(template: str) -> list[str]:
    return _VAR.findall(template)


def check_template(template: str) -> None:
    """Refuse a URI that holds a password outright: the store would keep it."""
    for pattern in (_USERINFO_PASSWORD, _PASSWORD_PARAM):
        for match in pattern.finditer(template):
            secret = match["secret"]
            if secret and _VAR.sub("", secret):
                raise SourceRefused(
                    f"the URI {mask(template)} holds a password, and the store never keeps one. "
                    "Fix: put the password in an environment variable and write its name in "
                    "its place, e.g. postgresql://user:${PGPASSWORD}@host/db (or leave it out: "
                    "libpq also reads PGPASSWORD and ~/.pgpass)"
                )


def expand(template: str, env: Mapping[str, str]) -> Expanded:
    """Fill in every `${VAR}`; a missing variable is named (never its value: it has none)."""
    missing = sorted({name for name in references(template) if name not in env})
    if missing:
        raise DataopsError(
            f"the environment has no {', '.join(missing)}, which the source's URI "
            f"{mask(template)} needs. Fix: export {missing[0]}=... where the sync runs "
            "(a cron line or systemd unit sets it with Environment= or an env file)"
        )
    values = tuple(env[name] for name in references(template))
    return Expanded(_VAR.sub(lambda m: env[m[1]], template), values)


def mask(text: str) -> str:
    """`text` with any password in a URI's user info or `password=` parameter replaced by ***
    (a `${VAR}` reference is kept: it is a name, not a secret)."""

    def hide(match: re.Match) -> str:
        secret = match["secret"]
        return match["head"] + (secret if _VAR.fullmatch(secret) else MASK)

    return _PASSWORD_PARAM.sub(hide, _USERINFO_PASSWORD.sub(hide, text))
