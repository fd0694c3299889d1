"""Rules as data: a `Check` flags the rows that break it, vectorised over the whole file.

A million bad rows must not become a million problems, nor may a file stop at its first one, so
each rule lists its first `PER_RULE_LIMIT` rows per file and then one line with the count of the
rest. Messages and fixes are `str.format` templates over the failing row's columns; they are
formatted only for the rows that are listed.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

import polars as pl

from metrics.importing.parsing import ROW
from metrics.store.errors import Problem

FILE = "_file"  # the file a row came from: several files of one kind are checked together
EXISTS = "_exists"  # true where the store already has the row's key
PER_RULE_LIMIT = 25
ISO_DATE = r"^[12]\d{3}-\d{2}-\d{2}$"


@dataclass(frozen=True)
class Check:
    """One rule. `failing` is true on the rows that break it (null counts as passing)."""

    summary: str  # what is wrong, in a few words, for the "N more rows with ..." line
    failing: pl.Expr
    message: str
    fix: str
    column: str | None = None
    value: pl.Expr | None = None  # what the problem shows; the column's text by default
    # Columns the templates use that need the whole frame (windows); computed only on failure.
    context: tuple[pl.Expr, ...] = ()


def find_problems(frame: pl.DataFrame, checks: list[Check]) -> list[Problem]:
    """Every rule's failing rows of `frame` (which has FILE and ROW), capped per rule and file."""
    if frame.is_empty() or not checks:
        return []
    flags = frame.select(
        check.failing.fill_null(False).alias(f"_check{i}") for i, check in enumerate(checks)
    )
    problems: list[Problem] = []
    for i, check in enumerate(checks):
        if flags[:, i].any():
            hits = frame.with_columns(*check.context).filter(flags[:, i])
            problems += _problems_of(hits, check)
    return problems


def _problems_of(hits: pl.DataFrame, check: Check) -> list[Problem]:
    shown_value = check.value if check.value is not None else pl.col(check.column or ROW)
    listed = (
        hits.group_by(FILE, maintain_order=True)
        .head(PER_RULE_LIMIT)
        .with_columns(shown_value.cast(pl.String).alias("_shown"))
    )
    problems = [
        Problem(
            row[FILE],
            check.message.format_map(row),
            check.fix.format_map(row),
            row=row[ROW],
            column=check.column,
            value=row["_shown"],
        )
        for row in listed.iter_rows(named=True)
    ]
    for file, count in hits.group_by(FILE, maintain_order=True).len().iter_rows():
        if count > PER_RULE_LIMIT:
            problems.append(
                Problem(
                    file,
                    f"{count - PER_RULE_LIMIT:,} more rows with {check.summary} are not listed",
                    "correct them like the rows listed above, then import again",
                    column=check.column,
                    unlisted=count - PER_RULE_LIMIT,
                )
            )
    return problems


def literal(text: str) -> str:
    """`text` (from a file or the store) made safe to put inside a message template."""
    return text.replace("{", "{{").replace("}", "}}")


# The rules most formats share. `column` is the CSV column; typed values live in helper columns.


def required(column: str) -> Check:
    return Check(
        f"an empty {column}",
        pl.col(column).is_null(),
        f"the {column} is empty",
        f"fill in the {column}, or delete the row",
        column=column,
        value=pl.lit(""),
    )


PLAIN_ID = r"^[A-Za-z0-9_.\-]{1,64}$"  # ids go into links (?team=ID), file names and commands


def plain_id(column: str, noun: str) -> Check:
    """An id of letters, digits and `_ - .` only, at most 64 characters."""
    return Check(
        f"a {noun} id with other characters",
        pl.col(column).is_not_null() & ~pl.col(column).str.contains(PLAIN_ID),
        f"is not a valid {noun} id",
        "use letters, digits and _ - . only (at most 64), e.g. content_ops; the name column "
        "may hold any text",
        column=column,
    )


def iso_date(column: str, parsed: str) -> Check:
    return Check(
        f"a {column} not written YYYY-MM-DD",
        pl.col(column).is_not_null() & pl.col(parsed).is_null(),
        "is not a date written YYYY-MM-DD",
        "write dates as year-month-day, e.g. 2024-03-31 (in a spreadsheet, format the column "
        "as yyyy-mm-dd before saving)",
        column=column,
    )


def parse_date(column: str) -> pl.Expr:
    """The column as a Date where it is an ISO date (strictly YYYY-MM-DD), else null."""
    text = pl.col(column)
    return pl.when(text.str.contains(ISO_DATE)).then(text.str.to_date("%Y-%m-%d", strict=False))


def one_of(column: str, allowed: Collection[str], meaning: str) -> Check:
    listed = ", ".join(allowed)
    choices = [str(choice) for choice in allowed]
    return Check(
        f"a {column} that is not one of {listed}",
        pl.col(column).is_not_null() & ~pl.col(column).str.to_lowercase().is_in(choices),
        f"is not one of {listed}",
        f"write one of {listed} ({meaning})",
        column=column,
    )


def known(column: str, ids: Collection[str], noun: str, declare: str | None = None) -> Check:
    """The id names something in the store or declared in the same import."""
    declare = declare or f"add it to a {noun}s file imported together with this one"
    examples = literal(", ".join(sorted(ids)[:8]) + (", …" if len(ids) > 8 else ""))
    return Check(
        f"an unknown {noun}",
        pl.col(column).is_not_null() & ~pl.col(column).is_in(list(ids)),
        f"is not a known {noun}",
        f"check the spelling, or {declare}; known {noun}s: {examples or 'none yet'}",
        column=column,
    )


def unique(key: tuple[str, ...], column: str, noun: str, described: str) -> Check:
    """No two rows of the import share a key; every repeat names the row it repeats.

    `key` names typed columns where there are any (a date compares as a date). The frame is in
    import order, file by file, so the first occurrence is the one the others repeat.
    """
    complete = pl.all_horizontal(pl.col(k).is_not_null() for k in key)
    first_file = pl.col(FILE).first().over(key)
    return Check(
        f"a repeated {described}",
        complete & ~pl.struct(key).is_first_distinct(),
        f"repeats the {described} of row {{_first}}{{_elsewhere}}",
        f"keep one row per {noun}: delete or correct one of the two",
        column=column,
        context=(
            pl.col(ROW).first().over(key).alias("_first"),
            pl.when(first_file != pl.col(FILE))
            .then(pl.lit(" of ") + first_file)
            .otherwise(pl.lit(""))
            .alias("_elsewhere"),
        ),
    )


def not_in_store(column: str, noun: str, described: str) -> Check:
    """Rows whose key the store already has (the EXISTS column, added before checks run)."""
    return Check(
        "a key the store already has",
        pl.col(EXISTS),
        f"the store already has this {noun} (same {described})",
        "leave the row out, or <<replace_rows>> to overwrite what the store has",
        column=column,
    )
