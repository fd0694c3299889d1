"""The plan's CSV files (tactics, phases, assignments): read, check every row, report every problem.

Formats (UTF-8 with or without BOM, LF or CRLF, a header row):

- tactics:     month,tactic,weight            month as YYYY-MM, weight a number >= 0
- phases:      phase,name,start,end,main_task  start/end as YYYY-MM (inclusive months)
- assignments: phase,team,share,indicator     share as a fraction (0.25) or a percentage (25%)

A bare number above 1 is refused as a share rather than guessed at: "25" could mean 25% or a typo.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
import re
from collections.abc import Iterable
from pathlib import Path

import polars as pl

from metrics.store.errors import Problem, ValidationFailed
from metrics.store.input_limits import read_bounded, shape_problems

TACTIC_COLUMNS = ("month", "tactic", "weight")
PHASE_COLUMNS = ("phase", "name", "start", "end", "main_task")
ASSIGNMENT_COLUMNS = ("phase", "team", "share", "indicator")
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


def read_rows(source: bytes | str | Path, file: str, columns: Iterable[str]) -> list[dict]:
    """Rows as dicts of stripped strings plus `row` (spreadsheet numbering: header is row 1)."""
    columns = tuple(columns)
    raw = read_bounded(source) if isinstance(source, Path) else source
    data = raw if isinstance(raw, bytes) else raw.encode("utf-8")
    if over := shape_problems(file, data):  # before the CSV reader builds a row per field
        raise ValidationFailed(over)
    try:
        text = raw.decode("utf-8-sig") if isinstance(raw, bytes) else raw.lstrip("\ufeff")
    except UnicodeDecodeError:
        raise ValidationFailed(
            [Problem(file, "is not UTF-8 text", "save it as CSV (UTF-8) and try again")]
        ) from None
    lines = list(csv.reader(io.StringIO(text)))
    lines = [line for line in lines if any(cell.strip() for cell in line)]
    if not lines:
        raise ValidationFailed([Problem(file, "is empty", f"start with the header {_h(columns)}")])
    header = [cell.strip().lower() for cell in lines[0]]
    if tuple(header) != columns:
        fix = f"make the first row exactly {_h(columns)}"
        raise ValidationFailed([Problem(file, f"has the header {_h(header)}", fix, row=1)])
    problems, rows = [], []
    for number, line in enumerate(lines[1:], start=2):
        if len(line) != len(columns):
            message = f"has {len(line)} cells, expected {len(columns)}"
            problems.append(Problem(file, message, f"give every row {_h(columns)}", row=number))
            continue
        rows.append({"row": number, **dict(zip(columns, (c.strip() for c in line), strict=True))})
    if problems:
        raise ValidationFailed(problems)
    return rows


def parse_month(text: str) -> dt.date | None:
    """`YYYY-MM` as the month's first day, or None when it is not one."""
    match = _MONTH.match(text)
    if not match or not 1 <= int(match[2]) <= 12:
        return None
    return dt.date(int(match[1]), int(match[2]), 1)


def parse_share(text: str) -> float | None:
    """A share as a fraction: "0.25" or "25%" -> 0.25; None when it is neither."""
    percent = text.endswith("%")
    number = _number(text[:-1].strip() if percent else text)
    if number is None:
        return None
    return number / 100 if percent else number


def parse_tactics(source: bytes | str | Path, file: str, months: pl.DataFrame) -> pl.DataFrame:
    """Validated tactics for a goal's `months` (month, ...). Columns: month, tactic, weight."""
    rows = read_rows(source, file, TACTIC_COLUMNS)
    in_period = set(months["month"])
    problems, seen, parsed = [], {}, []
    for row in rows:
        month, weight = parse_month(row["month"]), _number(row["weight"])
        where = {"row": row["row"]}
        if month is None:
            problems.append(_bad(file, row, "month", "is not a month", "write it as YYYY-MM"))
        elif month not in in_period:
            fix = f"use a month from {_span(in_period)}"
            problems.append(_bad(file, row, "month", "is outside the goal period", fix))
        if not row["tactic"]:
            problems.append(_bad(file, row, "tactic", "is empty", "name the tactic"))
        if weight is None or weight < 0:
            fix = "write a number of 0 or more (weights are relative)"
            problems.append(_bad(file, row, "weight", "is not a weight", fix))
        key = (row["month"], row["tactic"])
        if key in seen:
            message = f"repeats month {key[0]} and tactic {key[1]!r} of row {seen[key]}"
            problems.append(Problem(file, message, "keep one row per month and tactic", **where))
        seen.setdefault(key, row["row"])
        parsed.append((month, row["tactic"], weight))
    if not problems and sum(weight for *_, weight in parsed) <= 0:
        fix = "give at least one month a positive weight"
        problems.append(Problem(file, "has weights that add up to 0", fix))
    if problems:
        raise ValidationFailed(problems)
    schema = {"month": pl.Date, "tactic": pl.String, "weight": pl.Float64}
    return pl.DataFrame(parsed, schema=schema, orient="row").sort("month", "tactic")


def parse_phases(source: bytes | str | Path, file: str) -> tuple[pl.DataFrame, list[Problem]]:
    """Rows of a phases file and the problems of each row alone (unparseable months are null).

    Columns: row, phase, name, start_month, end_month, main_task. `phases` checks the plan
    as a whole, so that one refusal lists every problem.
    """
    rows = read_rows(source, file, PHASE_COLUMNS)
    problems, parsed = [], []
    for row in rows:
        start, end = parse_month(row["start"]), parse_month(row["end"])
        if not row["phase"]:
            problems.append(_bad(file, row, "phase", "is empty", "give the phase an id, e.g. Q1"))
        for column, month in (("start", start), ("end", end)):
            if month is None:
                problems.append(_bad(file, row, column, "is not a month", "write it as YYYY-MM"))
        if start and end and end < start:
            problems.append(_bad(file, row, "end", "is before start", "swap start and end"))
        parsed.append((row["row"], row["phase"], row["name"] or row["phase"], start, end))
        parsed[-1] += (row["main_task"],)
    schema = {"row": pl.Int64, "phase": pl.String, "name": pl.String, "start_month": pl.Date}
    schema |= {"end_month": pl.Date, "main_task": pl.String}
    return pl.DataFrame(parsed, schema=schema, orient="row"), problems


def parse_assignments(source: bytes | str | Path, file: str) -> tuple[pl.DataFrame, list[Problem]]:
    """Rows of an assignments file and the problems of each row alone (bad shares are null).

    Columns: row, phase, team, share (a fraction), indicator.
    """
    rows = read_rows(source, file, ASSIGNMENT_COLUMNS)
    problems, parsed = [], []
    for row in rows:
        share = parse_share(row["share"])
        if share is None:
            fix = "write a fraction (0.25) or a percentage (25%)"
            problems.append(_bad(file, row, "share", "is not a share", fix))
        for column in ("phase", "team", "indicator"):
            if not row[column]:
                problems.append(_bad(file, row, column, "is empty", f"fill in the {column}"))
        parsed.append((row["row"], row["phase"], row["team"], share, row["indicator"]))
    schema = {"row": pl.Int64, "phase": pl.String, "team": pl.String, "share": pl.Float64}
    schema |= {"indicator": pl.String}
    return pl.DataFrame(parsed, schema=schema, orient="row"), problems


def _number(text: str) -> float | None:
    try:
        number = float(text)
    except ValueError:
        return None
    return number if math.isfinite(number) else None


def _bad(file: str, row: dict, column: str, message: str, fix: str) -> Problem:
    return Problem(file, message, fix, row=row["row"], column=column, value=row[column])


def _h(columns: Iterable[str]) -> str:
    return ",".join(columns)


def _span(months: set[dt.date]) -> str:
    return f"{min(months):%Y-%m} to {max(months):%Y-%m}"
