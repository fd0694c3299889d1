"""Tables and frames out as CSV: safe to open in a spreadsheet, otherwise exact.

A spreadsheet runs a cell that starts with `=`, `+`, `-` or `@` as a formula (tab and CR can
smuggle one in), so such text cells are written with a leading single quote, the usual
neutralisation. Text that already starts with a quote gets a second one, which keeps the mapping
reversible: `read_neutralised_csv` (and the importer) drop exactly one leading quote where the
export added it, so an exported file reads back, and imports back, as it was.

Only text is touched: numbers, dates and booleans are written as Polars writes them, and floats
in their shortest form that reads back bit for bit. The file starts with a UTF-8 BOM, without
which Excel misreads non-ASCII names (team names in Chinese, for one).
"""

from __future__ import annotations

import contextlib
from collections.abc import Mapping
from pathlib import Path

import duckdb
import polars as pl

from metrics.store.errors import DataopsError
from metrics.store.frames import frame
from metrics.store.names import EXPORTABLE_TABLES

_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "'")
_NEEDS_QUOTE = r"^[=+\-@\t\r']"
_QUOTED = r"^'[=+\-@\t\r']"
_TEXT_TYPES = (pl.String, pl.Categorical, pl.Enum)


def require_exportable(table: str) -> None:
    """Refuse a name outside EXPORTABLE_TABLES, listing the ones there are."""
    if table not in EXPORTABLE_TABLES:
        raise DataopsError(
            f"{table!r} is not a table that can be exported. "
            f"Fix: pick one of {', '.join(EXPORTABLE_TABLES)}"
        )


def read_table(con: duckdb.DuckDBPyConnection, table: str) -> pl.DataFrame:
    """A whole table, in a stable order (every column, ascending), for export."""
    require_exportable(table)
    con.complete()  # run any unread execute() result to its end: DuckDB 2 refuses sql() until then
    # The name comes from the allow-list above, never from the user's text as such.
    return frame(con.sql(f"select * from {table} order by all"))  # noqa: S608


def neutralise(text: pl.Expr) -> pl.Expr:
    """Text a spreadsheet could run as a formula, prefixed with a single quote."""
    return pl.when(text.str.contains(_NEEDS_QUOTE)).then(pl.lit("'") + text).otherwise(text)


def unneutralise(text: pl.Expr) -> pl.Expr:
    """The inverse of `neutralise`: drops the one quote it added, and nothing else."""
    return pl.when(text.str.contains(_QUOTED)).then(text.str.slice(1)).otherwise(text)


def neutralised_name(name: str) -> str:
    """A column name as `to_csv_bytes` writes it (headers can be team ids in a pivot)."""
    return "'" + name if name.startswith(_TRIGGERS) else name


def to_csv_bytes(frame: pl.DataFrame) -> bytes:
    """The frame as spreadsheet-safe UTF-8 CSV (with BOM); see the module docstring."""
    text_columns = [name for name, dtype in frame.schema.items() if isinstance(dtype, _TEXT_TYPES)]
    safe = frame.with_columns(
        neutralise(pl.col(name).cast(pl.String)).alias(name) for name in text_columns
    ).rename(neutralised_name)
    return safe.write_csv(include_bom=True).encode("utf-8")


def write_csv(frame: pl.DataFrame, path: str | Path) -> None:
    """Write `to_csv_bytes(frame)` to `path`, all or nothing (a partial file is never left)."""
    path = Path(path)
    if path.is_dir():
        raise DataopsError(f"{path} is a folder. Fix: name a file to write, e.g. {path / 'x.csv'}")
    partial = path.with_name(path.name + ".partial")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        partial.write_bytes(to_csv_bytes(frame))
        partial.replace(path)
    except OSError as error:
        with contextlib.suppress(OSError):
            partial.unlink(missing_ok=True)
        raise DataopsError(
            f"cannot write {path}: {error.strerror or error}. Fix: <<writable_out>>"
        ) from None


def read_neutralised_csv(
    source: bytes | str | Path, schema: Mapping[str, pl.DataType] | None = None
) -> pl.DataFrame:
    """Read a CSV written by `to_csv_bytes` back into the frame it came from.

    With `schema` (e.g. the original frame's), columns get their types back exactly; without it
    every column is text. Either way the neutralising quotes are removed again.
    """
    data = source if isinstance(source, bytes) else Path(source).read_bytes()
    data = data.removeprefix(b"\xef\xbb\xbf")
    written_schema = {neutralised_name(n): dtype for n, dtype in (schema or {}).items()}
    frame = pl.read_csv(data, schema=written_schema or None, infer_schema=False)
    frame = frame.rename(lambda name: name[1:] if neutralised_name(name[1:]) == name else name)
    text_columns = [name for name, dtype in frame.schema.items() if dtype == pl.String]
    return frame.with_columns(unneutralise(pl.col(name)).alias(name) for name in text_columns)
