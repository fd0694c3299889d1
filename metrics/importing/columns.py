"""From parsed records to rows under the format's column names, with the header's problems.

Columns are matched by name, so their order is free (a spreadsheet user may move one); the names
themselves must be exact. A file whose header lacks a column reports its header problems only:
its rows are checked once the header is complete, since every row would otherwise repeat them.
Blank rows (a blank line, or only commas) are skipped, as spreadsheets leave them behind.
Cells are trimmed, and a cell our export neutralised ('=x) reads back as what it was (=x).
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from metrics.importing.checks import FILE, Check, find_problems, literal
from metrics.importing.parsing import FIELDS, ROW, Records
from metrics.store.errors import Problem
from metrics.store.export import unneutralise


@dataclass(frozen=True)
class FileRows:
    """One file's rows: FILE, ROW and the format's columns as trimmed text (null when empty)."""

    file: str
    rows: pl.DataFrame
    complete: bool  # the header names every column, so the rows can be checked
    problems: list[Problem]


def named_rows(file: str, records: Records, columns: tuple[str, ...]) -> FileRows:
    header = records.header
    cells = records.data.with_columns(pl.lit(file).alias(FILE))
    cells = cells.filter(~_blank(cells))
    problems = _header_problems(file, header, columns, cells)
    complete = all(column in header for column in columns)
    if cells.is_empty() and set(header) & set(columns):
        problems.append(
            Problem(file, "the file has a header but no data rows", "add rows under the header")
        )
    problems += find_problems(cells, [_ragged(header)])
    regular = cells.filter(pl.col(FIELDS) == len(header))
    rows = regular.select(
        FILE,
        ROW,
        *(
            _cleaned(regular, f"c{header.index(c)}" if c in header else None).alias(c)
            for c in columns
        ),
    )
    return FileRows(file, rows, complete, problems)


def _cleaned(cells: pl.DataFrame, cell: str | None) -> pl.Expr:
    if cell is None:
        return pl.lit(None, dtype=pl.String)
    text = pl.col(cell)
    if cells[cell].str.starts_with("'").any():  # rare, and the regex costs on a million rows
        text = unneutralise(text)
    text = text.str.strip_chars()
    return pl.when(text != "").then(text)


def _blank(cells: pl.DataFrame) -> pl.Expr:
    # Unquoted empty cells and missing ones are null; "" is a quoted empty cell.
    names = [c for c in cells.columns if c.startswith("c")]
    return pl.all_horizontal(pl.col(c).is_null() | (pl.col(c) == "") for c in names)


def _ragged(header: tuple[str, ...]) -> Check:
    width = len(header)
    names = literal(",".join(header))
    return Check(
        "a wrong number of values",
        pl.col(FIELDS) != width,
        f"has {{{FIELDS}}} values but the header has {width}",
        f"give every row exactly {width} values in the header's order ({names}); "
        'put a value that contains a comma in double quotes ("a, b")',
        value=pl.concat_str(pl.col(r"^c\d+$").fill_null(""), separator=",").str.strip_chars_end(
            ","
        ),
    )


def _header_problems(
    file: str, header: tuple[str, ...], columns: tuple[str, ...], cells: pl.DataFrame
) -> list[Problem]:
    expected = ",".join(columns)
    if not set(header) & set(columns):
        return [_no_header(file, header, columns)]
    problems = []
    for position, name in enumerate(header):
        if header.index(name) != position and name:
            problems.append(_repeated(file, name, header.index(name) + 1, position + 1))
        elif name not in columns and (name or _has_values(cells, position)):
            problems.append(_extra(file, name, position + 1, columns, header))
    named = {_plain(h) for h in header if h not in columns}
    missing = [c for c in columns if c not in header and c not in named]  # else misnamed above
    return problems + [_missing(file, c, expected) for c in missing]


def _plain(name: str) -> str:
    return name.strip().lower().replace(" ", "_")


def _no_header(file: str, header: tuple[str, ...], columns: tuple[str, ...]) -> Problem:
    expected = ",".join(columns)
    found = ",".join(header)
    for separator, name in ((";", "semicolons"), ("\t", "tabs")):
        if set(found.split(separator)) & set(columns):
            # European spreadsheets save "CSV" with semicolons; tab-separated is "Text".
            return Problem(
                file,
                f"the values are separated by {name}, not commas",
                "save the file as 'CSV UTF-8 (Comma delimited)' and import that",
                row=1,
                value=found,
            )
    return Problem(
        file,
        f"row 1 must be the header {expected!r}",
        f"insert the line {expected} as the first line of the file",
        row=1,
        value=found,
    )


def _has_values(cells: pl.DataFrame, position: int) -> bool:
    # An unnamed column with no values is the trailing commas some spreadsheets write: harmless.
    column = f"c{position}"
    return column in cells.columns and cells[column].str.strip_chars().fill_null("").ne("").any()


def _repeated(file: str, name: str, first: int, again: int) -> Problem:
    return Problem(
        file,
        f"the header names column {name!r} twice (columns {first} and {again})",
        "keep one of the two columns",
        row=1,
        column=name,
    )


def _extra(
    file: str, name: str, position: int, columns: tuple[str, ...], header: tuple[str, ...]
) -> Problem:
    twin = next((c for c in columns if c == _plain(name) and c not in header), None)
    if twin:
        return Problem(
            file,
            f"column {position} is named {name!r}; names are exact",
            f"rename it to {twin!r}",
            row=1,
            column=name,
        )
    return Problem(
        file,
        f"column {position} ({name or 'unnamed'}) is not part of this format",
        f"remove the column; the header must be {','.join(columns)}",
        row=1,
        column=name or None,
    )


def _missing(file: str, column: str, expected: str) -> Problem:
    return Problem(
        file,
        f"the header has no column {column!r}",
        f"add it; the header must be {expected}",
        row=1,
        column=column,
    )


def frame_rows(name: str, frame: pl.DataFrame, columns: tuple[str, ...]) -> FileRows:
    """Rows already in columns (a query's result, Parquet files) as the text cells a CSV would
    hold, so the formats' rules check them alike. Dates become YYYY-MM-DD and numbers their
    shortest exact text. `_file` and `_row` columns, when given, say where each row came from;
    otherwise every row is of `name`, numbered from 1."""
    present = [c for c in columns if c in frame.columns]
    extra = [c for c in frame.columns if c not in columns and not c.startswith("_")]
    problems = [
        Problem(
            name,
            f"the source has no column {c!r}",
            f"return the columns {','.join(columns)} (rename with `as {c}` in the query)",
            column=c,
        )
        for c in columns
        if c not in frame.columns
    ]
    problems += [
        Problem(
            name,
            f"column {c!r} is not part of this format",
            f"return only the columns {','.join(columns)}",
            column=c,
        )
        for c in extra
    ]
    where = (
        pl.col(FILE) if FILE in frame.columns else pl.lit(name),
        pl.col(ROW).cast(pl.Int64) if ROW in frame.columns else pl.int_range(1, pl.len() + 1),
    )
    rows = frame.select(
        where[0].cast(pl.String).alias(FILE),
        where[1].cast(pl.Int64).alias(ROW),
        *(_text(frame, c).alias(c) for c in present),
        *(pl.lit(None, dtype=pl.String).alias(c) for c in columns if c not in present),
    ).select(FILE, ROW, *columns)
    # Rows of a source whose columns are wrong are not checked (each would repeat the problem).
    return FileRows(name, rows.clear() if problems else rows, not problems, problems)


def _text(frame: pl.DataFrame, column: str) -> pl.Expr:
    dtype = frame.schema[column]
    text = pl.col(column)
    if dtype == pl.Date:  # ISO already, and nothing to trim
        return text.cast(pl.String)
    if isinstance(dtype, pl.Datetime):  # a warehouse's timestamp at midnight is that day
        midnight = text.dt.truncate("1d") == text
        return (
            pl.when(midnight).then(text.dt.date().cast(pl.String)).otherwise(text.cast(pl.String))
        )
    text = text.cast(pl.String).str.strip_chars()
    return pl.when(text != "").then(text)
