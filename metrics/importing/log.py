"""Who imported what: each import that went through, with its author (the audit trail)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import duckdb
import polars as pl

from metrics.importing.validation import ImportFile, ImportReport, ParsedFiles, import_files


def import_files_by(
    con: duckdb.DuckDBPyConnection,
    files: Sequence[ImportFile] | ParsedFiles,
    by: str,
    *,
    replace: bool = False,
) -> ImportReport:
    """`import_files`, then a row in `import_log` naming `by` (nothing is logged if refused).
    Pass `parse_files(...)` to parse before the store is opened."""
    report = import_files(con, files, replace=replace)
    con.execute(
        "insert into import_log values ($at, $by, $files, $summary)",
        {
            "at": dt.datetime.now(dt.UTC).replace(tzinfo=None),
            "by": by,
            "files": ", ".join(
                files.names if isinstance(files, ParsedFiles) else [n for _, n, _ in files]
            ),
            "summary": str(report),
        },
    )
    return report


def load_import_log(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """Newest first. Columns: imported_at, imported_by, files, summary."""
    return con.sql("select * from import_log order by imported_at desc").pl()
