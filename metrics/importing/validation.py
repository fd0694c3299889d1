"""Validate several files together, then write them in one transaction, or refuse them whole.

Files are taken kind by kind (teams, metrics, observations, initiatives), so ids declared by an
earlier kind of the same import count as existing for the later ones.

Two stages: `parse_files` needs no store (size and shape limits, decoding, parsing, typing: the
costly part), and the checks against the store and the write follow. Callers parse first and then
open the store, so no store lock is held while a large file is parsed.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import duckdb
import polars as pl

from metrics.importing import initiatives_format, metrics_format, observations_format, teams_format
from metrics.importing.checks import EXISTS, FILE, find_problems
from metrics.importing.columns import FileRows, frame_rows, named_rows
from metrics.importing.context import Known, known_ids, rows_in_store
from metrics.importing.decoding import checked_text
from metrics.importing.kinds import Format, ImportKind
from metrics.importing.parsing import ROW, read_records
from metrics.importing.writing import Batch, write_batches
from metrics.store.errors import Problem, ValidationFailed
from metrics.store.input_limits import shape_problems

FORMATS: dict[ImportKind, Format] = {
    f.kind: f
    for f in (
        teams_format.FORMAT,
        metrics_format.FORMAT,
        observations_format.FORMAT,
        initiatives_format.FORMAT,
    )
}

ImportFile = tuple[ImportKind | str, str, bytes]  # (kind, file name shown in problems, content)
# (kind, name shown in problems, rows under the format's column names, any types; optional _file
# and _row columns say where each row came from, e.g. a file of a glob and its line)
ImportFrame = tuple[ImportKind | str, str, pl.DataFrame]


@dataclass(frozen=True)
class ImportReport:
    """Rows written per kind; `replaced` counts those that overwrote a key (with --replace)."""

    teams: int = 0
    metrics: int = 0
    observations: int = 0
    initiatives: int = 0
    replaced: int = 0

    def __str__(self) -> str:
        counts = [f"{getattr(self, kind):,} {kind}" for kind in ImportKind if getattr(self, kind)]
        text = ", ".join(counts) or "nothing"
        return text + (f" ({self.replaced:,} replaced rows the store had)" if self.replaced else "")


@dataclass(frozen=True)
class ParsedFiles:
    """Files read and typed, not yet checked against the store."""

    names: tuple[str, ...]  # in the order given, for ordering problems
    problems: list[Problem]
    read: dict[ImportKind, list[FileRows]]
    declared: dict[ImportKind, pl.DataFrame]


@dataclass(frozen=True)
class CheckedImport:
    """Every problem found, and the typed rows per table that would be written when none."""

    problems: list[Problem]
    batches: list[Batch]


def check_frames(
    con: duckdb.DuckDBPyConnection, frames: Sequence[ImportFrame], *, replace: bool = False
) -> CheckedImport:
    """The rules of `import_files` applied to rows that are already columns (a database query,
    Parquet files): each cell is checked as the text a CSV would hold, so both refuse the same."""
    read: dict[ImportKind, list[FileRows]] = {kind: [] for kind in ImportKind}
    problems: list[Problem] = []
    for kind, name, frame in frames:
        fmt = FORMATS[ImportKind(kind)]
        rows = frame_rows(name, frame, fmt.columns)
        problems += rows.problems
        read[fmt.kind].append(rows)
    declared = {
        kind: FORMATS[kind].typed(_concat(FORMATS[kind], read[kind])) for kind in ImportKind
    }
    parsed = ParsedFiles(tuple(name for _, name, _ in frames), problems, read, declared)
    checked = _check(con, parsed, replace)
    found = sorted(checked.problems, key=lambda p: (p.file, math.inf if p.row is None else p.row))
    return CheckedImport(found, checked.batches)


def validate_files(
    con: duckdb.DuckDBPyConnection,
    files: Sequence[ImportFile] | ParsedFiles,
    *,
    replace: bool = False,
) -> list[Problem]:
    """Every problem of the files, checked together against the store; empty means importable."""
    return _check(con, files, replace).problems


def import_files(
    con: duckdb.DuckDBPyConnection,
    files: Sequence[ImportFile] | ParsedFiles,
    *,
    replace: bool = False,
) -> ImportReport:
    """Validate, then write everything in one transaction; raise ValidationFailed with every
    problem (having written nothing) when any file is refused."""
    checked = _check(con, files, replace)
    if checked.problems:
        raise ValidationFailed(checked.problems, limit=len(checked.problems))
    write_batches(con, checked.batches, replace=replace)
    written = {batch.format.kind.value: batch.rows.height for batch in checked.batches}
    return ImportReport(**written, replaced=sum(batch.replaced for batch in checked.batches))


def parse_files(files: Sequence[ImportFile]) -> ParsedFiles:
    """Read and type every file without the store; a file over the input limits is refused
    from its size and shape before any parser sees it."""
    problems: list[Problem] = []
    read: dict[ImportKind, list[FileRows]] = {kind: [] for kind in ImportKind}
    for kind, name, data in files:
        fmt = FORMATS[ImportKind(kind)]
        if over := shape_problems(name, data):
            problems += over
            continue
        body, refusal = checked_text(name, data)
        problems += refusal
        if body is not None:
            rows = named_rows(name, read_records(body), fmt.columns)
            problems += rows.problems
            read[fmt.kind].append(rows)
    declared = {
        kind: FORMATS[kind].typed(_concat(FORMATS[kind], read[kind])) for kind in ImportKind
    }
    return ParsedFiles(tuple(name for _, name, _ in files), problems, read, declared)


def _check(
    con: duckdb.DuckDBPyConnection, files: Sequence[ImportFile] | ParsedFiles, replace: bool
) -> CheckedImport:
    parsed = files if isinstance(files, ParsedFiles) else parse_files(files)
    # A caller's execute() may have left a result half-read; DuckDB 2 then refuses relations and
    # register() on this connection until it is run to its end.
    con.complete()
    problems, read, declared = list(parsed.problems), parsed.read, parsed.declared
    known = known_ids(con, declared[ImportKind.TEAMS], declared[ImportKind.METRICS])
    batches = []
    for kind in ImportKind:
        if read[kind]:
            batch, found = _check_kind(
                con, FORMATS[kind], declared[kind], read[kind], known, replace
            )
            problems += found
            batches.append(batch)
    return CheckedImport(_in_file_order(problems, parsed.names), batches)


def _check_kind(
    con: duckdb.DuckDBPyConnection,
    fmt: Format,
    typed: pl.DataFrame,
    files: list[FileRows],
    known: Known,
    replace: bool,
) -> tuple[Batch, list[Problem]]:
    # rows of files that could not be read whole are left out (a glob's rows name their own file)
    checkable = typed.filter(~pl.col(FILE).is_in([f.file for f in files if not f.complete]))
    checkable = checkable.with_columns(
        rows_in_store(con, checkable, fmt.table, fmt.key).alias(EXISTS)
    )
    problems = find_problems(checkable, fmt.checks(known, replace))
    replaced = fmt.rows(checkable.filter(pl.col(EXISTS))).height  # rows() may drop some
    batch = Batch(fmt, fmt.rows(checkable), replaced)
    return batch, problems


def _concat(fmt: Format, files: list[FileRows]) -> pl.DataFrame:
    empty = pl.DataFrame(
        schema={FILE: pl.String, ROW: pl.Int64, **dict.fromkeys(fmt.columns, pl.String)}
    )
    return pl.concat([empty, *(f.rows for f in files)], how="vertical")


def _in_file_order(problems: list[Problem], names: Sequence[str]) -> list[Problem]:
    """Per file in the order given: header first, rows in order, file-wide notes last."""
    rank = {}
    for position, name in enumerate(names):
        rank.setdefault(name, position)
    return sorted(
        problems, key=lambda p: (rank.get(p.file, 0), math.inf if p.row is None else p.row)
    )
