"""Errors a user can act on: each names the value, what was expected and the fix.

A fix is written in product terms. Where it asks for an action a front end offers, it names the
action as `<<key>>` (a key of `ACTIONS`): `str(error)` says it in product terms, and each front
end names its own control with `error.say(words)` (the CLI its flags, `cli/words.py`; the app
its buttons and boxes, `ui/words.py`). A front end's words may use the error's context, e.g.
`{goal}`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import polars as pl

# The actions a fix may ask for, in product terms (what neither front end's words replace).
ACTIONS = {
    "fit_baseline": "fit the goal's natural baseline",
    "refit_baseline": "refit the goal's natural baseline (the old one is kept for audit)",
    "refit_for_period": "save the goal again, refitting its natural baseline for the new period",
    "split_goal": "split the goal into months once its natural baseline is fitted",
    "clear_overrides": "clear the months set by hand (they stay in the goal's history)",
    "give_tactics": "give tactic weights (month, tactic, weight)",
    "use_tactics_method": "choose method tactic",
    "use_even_method": "choose method even",
    "change_target": "change the goal's target",
    "pick_as_of": "pick a day inside the goal period, or measure as of the latest data",
    "name_author": "say who reports",
    "name_problems": "say what stands in the way",
    "import_observations": "import observations",
    "create_goal": "create the goal first",
    "migrate_store": "open the store once for writing, so its migrations run",
    "replace_rows": "import again replacing what the store has",
    "build_store": "build the demo company or import your data into a new store",
    "replace_store": "replace it with the demo company",
    "other_store": "choose another store file",
    "goal_period": "make the goal end on or after its start",
    "demo_teams": "ask for 5 teams, the standard demo company",
    "demo_seed": "ask for seed 7, the standard demo company, or another whole number in that range",
    "writable_store": "choose a store path in a folder you can write",
    "writable_out": "choose a path in a folder you can write",
    "demo_years": "ask for 3 years of history (forecasts learn yearly seasonality from them)",
    "query_files": "leave the query out: a file source reads its files whole, so give the files "
    "the format's columns",
    "remove_source": "choose another name, or remove the source {source} first",
    "list_sources": "check the name among the sources",
    "sync_sources": "sync the sources",
    "name_recipients": "name the recipients, or give people roles so the grants say who",
    "give_mail_server": "say which mail server sends it: DATAOPS_SMTP_HOST and DATAOPS_SMTP_PORT,"
    " or host and port under [smtp] in .streamlit/secrets.toml",
    "give_sender": "say who sends it: DATAOPS_SMTP_FROM, or from under [smtp] in "
    ".streamlit/secrets.toml",
}
_ACTION = re.compile(r"<<(\w+)>>")


class _Context(dict):
    """A missing context value reads as a placeholder the person fills in: {goal} -> ID."""

    def __missing__(self, key: str) -> str:
        return "ID" if key == "goal" else key.upper()


def in_words(
    text: str, words: Mapping[str, str] | None = None, context: Mapping[str, object] = {}
) -> str:
    """`text` with each `<<action>>` named by `words` (a front end's), else by `ACTIONS`."""

    def name(match: re.Match) -> str:
        key = match.group(1)
        if key not in ACTIONS:
            return match.group(0)
        phrase = (words or {}).get(key, ACTIONS[key])
        return phrase.format_map(_Context({k: str(v) for k, v in context.items()}))

    return _ACTION.sub(name, text)


class DataopsError(Exception):
    """An error meant for the user, not a bug. `exit_code` is what the CLI exits with.

    `public` is the same message without server details (file paths, other processes' command
    lines), for app visitors who are not owners; errors that carry such details set it.

    `context` (e.g. goal="gmv_2026") fills the front ends' words for the actions the fix names.
    """

    exit_code = 1

    def __init__(self, message: str = "", *, public: str | None = None, **context: object):
        self.template, self.context = message, context
        super().__init__(in_words(message, None, context))
        self.public = str(self) if public is None else in_words(public, None, context)

    def say(self, words: Mapping[str, str] | None = None) -> str:
        """The message with the actions its fix asks for named in `words`."""
        return in_words(self.template, words, self.context)


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input, located as precisely as the input allows.

    `row` counts data rows the way a spreadsheet does: the header is row 1, so the first data row
    is row 2. `None` fields mean "the whole file" or "the whole row".
    """

    file: str
    message: str
    fix: str
    row: int | None = None
    column: str | None = None
    value: str | None = None
    # A line standing for rows that are not listed one by one ("1,000 more rows with ...").
    unlisted: int = 0

    def __str__(self) -> str:
        return self.say()

    def say(self, words: Mapping[str, str] | None = None) -> str:
        where = self.file if self.row is None else f"{self.file}, row {self.row}"
        if self.column is not None:
            where += f", column '{self.column}'"
        if self.value is not None:
            where += f", value {_quote(self.value)}"
        return f"{where}: {in_words(self.message, words)}. Fix: {in_words(self.fix, words)}"


def _quote(value: str, limit: int = 60) -> str:
    shown = value if len(value) <= limit else value[: limit - 1] + "…"
    return repr(shown)


class ValidationFailed(DataopsError):
    """Input refused as a whole; `problems` lists every problem found, in input order."""

    exit_code = 2

    def __init__(self, problems: Iterable[Problem], *, limit: int = 200):
        self.problems = list(problems)
        self.limit = limit
        super().__init__(self.say())

    @property
    def count(self) -> int:
        """Problems found: a listed one counts once, a summary line the rows it stands for."""
        return sum(p.unlisted or 1 for p in self.problems)

    def say(self, words: Mapping[str, str] | None = None) -> str:
        count = self.count
        head = f"refused: {count:,} problem{'s' if count != 1 else ''} found, nothing was written"
        shown = [f"  - {p.say(words)}" for p in self.problems[: self.limit]]
        if len(self.problems) > self.limit:
            shown.append(f"  … and {len(self.problems) - self.limit} more of the same kinds")
        return "\n".join([head, *shown])


class StoreBusy(DataopsError):
    """Another process holds the store file; says which one when DuckDB tells us."""

    exit_code = 3


class StoreMissing(DataopsError):
    exit_code = 4


class StoreUnreadable(DataopsError):
    """The store file is not a DuckDB store, is damaged, is a folder, or cannot be written."""

    exit_code = 5


class StoreReadOnly(StoreUnreadable):
    """The store can be read but not written by this process."""


class InputTooLarge(DataopsError):
    """A file over the input limits, refused before it is read whole or parsed."""

    exit_code = 2


def problems_frame(
    problems: Iterable[Problem], words: Mapping[str, str] | None = None
) -> pl.DataFrame:
    """Columns: file, row, column, value, problem, fix — one row per problem, for tables/CSV;
    the fixes' actions named in `words`."""
    import polars as pl  # here: every command imports this module, most never show a table

    rows = [
        (p.file, p.row, p.column, p.value, in_words(p.message, words), in_words(p.fix, words))
        for p in problems
    ]
    return pl.DataFrame(
        rows,
        schema={
            "file": pl.String,
            "row": pl.Int64,
            "column": pl.String,
            "value": pl.String,
            "problem": pl.String,
            "fix": pl.String,
        },
        orient="row",
    )
