"""CSV text to a frame of text cells, one row per record, with each record's field count.

Polars parses the cells (fast, every column read as text). It cannot say whether a short record
was short or ended in empty cells, so the field count of every record comes separately: counted
vectorised per line when the file has no quote characters (a record is then exactly a line), and
by the standard library's C reader otherwise, because quoted cells may hold commas and newlines.
Files whose quoting Polars rejects are parsed whole by that reader, which is lenient about it.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

import polars as pl

ROW = "_row"  # the spreadsheet row: the header is row 1
FIELDS = "_fields"  # how many fields the record has; 0 for a blank line


@dataclass(frozen=True)
class Records:
    """Every record of a CSV: `cells` has ROW, FIELDS and c0..c{width-1} (text, null if empty)."""

    header: tuple[str, ...]
    cells: pl.DataFrame

    @property
    def data(self) -> pl.DataFrame:
        return self.cells.filter(pl.col(ROW) > 1)


def read_records(data: bytes) -> Records:
    """Parse UTF-8 CSV bytes (LF or CRLF, no BOM) into records; never raises on bad quoting."""
    quoted = b'"' in data
    counts = _field_counts_quoted(data) if quoted else _field_counts_plain(data)
    width = max(1, int(counts.max() or 0))
    cells = _polars_cells(data, width, quoted)
    if cells is None or cells.height != counts.len():
        cells = _stdlib_cells(data, width)
    cells = cells.with_columns(counts.alias(FIELDS)).with_row_index(ROW, offset=1)
    cells = cells.with_columns(pl.col(ROW).cast(pl.Int64))
    header_row = cells.row(0, named=True) if cells.height else {}
    header_count = int(header_row.get(FIELDS) or 0)
    header = tuple((header_row[f"c{i}"] or "").strip() for i in range(header_count))
    return Records(header, cells.select(ROW, FIELDS, *_names(width)))


def _names(width: int) -> list[str]:
    return [f"c{i}" for i in range(width)]


def _field_counts_plain(data: bytes) -> pl.Series:
    # NUL never occurs (decoding refused such files), so each line is read as one cell.
    lines = pl.read_csv(
        data, has_header=False, separator="\x00", quote_char=None, schema={"line": pl.String}
    )["line"]
    counted = lines.str.count_matches(",", literal=True) + 1
    return pl.select(pl.when(lines.is_null()).then(0).otherwise(counted)).to_series()


def _field_counts_quoted(data: bytes) -> pl.Series:
    reader = csv.reader(io.StringIO(data.decode("utf-8"), newline=""))
    return pl.Series(list(map(len, reader)), dtype=pl.Int64)


def _polars_cells(data: bytes, width: int, quoted: bool) -> pl.DataFrame | None:
    try:
        return pl.read_csv(
            data,
            has_header=False,
            quote_char='"' if quoted else None,
            schema=dict.fromkeys(_names(width), pl.String),
            missing_columns="insert",
            truncate_ragged_lines=True,
        )
    except pl.exceptions.PolarsError:
        return None  # malformed quoting, e.g. a stray quote inside a cell


def _stdlib_cells(data: bytes, width: int) -> pl.DataFrame:
    rows = list(csv.reader(io.StringIO(data.decode("utf-8"), newline="")))
    padded = [row + [""] * (width - len(row)) if len(row) < width else row for row in rows]
    columns = list(zip(*padded, strict=True)) if padded else [()] * width
    return pl.DataFrame(
        {
            name: pl.Series(name, column, dtype=pl.String)
            for name, column in zip(_names(width), columns, strict=True)
        }
    )
