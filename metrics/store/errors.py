"""Errors a user can act on: each names the value, what was expected and the fix."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import polars as pl


class DataopsError(Exception):
    """An error meant for the user, not a bug. `exit_code` is what the CLI exits with.

    `public` is the same message without server details (file paths, other processes' command
    lines), for app visitors who are not owners; errors that carry such details set it.
    """

    exit_code = 1

    def __init__(self, message: str = "", *, public: str | None = None):
        super().__init__(message)
        self.public = message if public is None else public


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
        where = self.file if self.row is None else f"{self.file}, row {self.row}"
        if self.column is not None:
            where += f", column '{self.column}'"
        if self.value is not None:
            where += f", value {_quote(self.value)}"
        return f"{where}: {self.message}. Fix: {self.fix}"


def _quote(value: str, limit: int = 60) -> str:
    shown = value if len(value) <= limit else value[: limit - 1] + "…"
    return repr(shown)


class ValidationFailed(DataopsError):
    """Input refused as a whole; `problems` lists every problem found, in input order."""

    exit_code = 2

    def __init__(self, problems: Iterable[Problem], *, limit: int = 200):
        self.problems = list(problems)
        self.limit = limit
        super().__init__(self._summary())

    @property
    def count(self) -> int:
        """Problems found: a listed one counts once, a summary line the rows it stands for."""
        return sum(p.unlisted or 1 for p in self.problems)

    def _summary(self) -> str:
        count = self.count
        head = f"refused: {count:,} problem{'s' if count != 1 else ''} found, nothing was written"
        shown = [f"  - {p}" for p in self.problems[: self.limit]]
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


def problems_frame(problems: Iterable[Problem]) -> pl.DataFrame:
    """Columns: file, row, column, value, problem, fix — one row per problem, for tables/CSV."""
    rows = [(p.file, p.row, p.column, p.value, p.message, p.fix) for p in problems]
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
