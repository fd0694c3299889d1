"""Limits on input files, checked before anything parses them.

A CSV parser's memory grows with columns × rows and with the longest line, not only with the file:
a 9.9 MB file of 10^6 columns took 12.6 GB to refuse, and `/dev/zero` as an import grew without
end. So every file a user hands us is read through `read_bounded` (which never reads more than
the size limit, and refuses a larger regular file from its size alone), and its bytes pass
`shape_problems` (longest line, most fields on a line) before any parser sees them.

The limits are generous for real exports and set from the environment:

- `DATAOPS_MAX_FILE_MB`     largest file, in MB (default 200; ~6 million observation rows)
- `DATAOPS_MAX_COLUMNS`     most fields on one line (default 100; the widest format has 7)
- `DATAOPS_MAX_LINE_BYTES`  longest line, in bytes (default 65536)
"""

from __future__ import annotations

import csv
import io
import os
import stat
from dataclasses import dataclass
from pathlib import Path

from metrics.store.errors import DataopsError, InputTooLarge, Problem

_CHUNK = 1 << 20


@dataclass(frozen=True)
class InputLimits:
    max_bytes: int = 200 * 1_000_000
    max_columns: int = 100
    max_line_bytes: int = 65_536

    @classmethod
    def from_env(cls) -> InputLimits:
        """The limits set by DATAOPS_MAX_* (see the module docstring), defaults otherwise."""
        default = cls()
        return cls(
            max_bytes=int(_env_number("DATAOPS_MAX_FILE_MB", default.max_bytes / 1e6) * 1e6),
            max_columns=int(_env_number("DATAOPS_MAX_COLUMNS", default.max_columns)),
            max_line_bytes=int(_env_number("DATAOPS_MAX_LINE_BYTES", default.max_line_bytes)),
        )


def _env_number(name: str, default: float) -> float:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        value = -1.0
    if value <= 0:
        raise DataopsError(
            f"{name}={raw!r} is not a positive number. Fix: set it to one, or unset it"
        )
    return value


def read_bounded(path: Path, limits: InputLimits | None = None) -> bytes:
    """The file's bytes, never reading more than the size limit: a larger regular file is refused
    from its size (a sparse 2 GB file costs nothing), and a device or pipe (`/dev/zero`) as soon
    as it shows binary data, a line over the limit, or more bytes than the size limit."""
    limits = limits or InputLimits.from_env()
    try:
        info = path.stat()
        if stat.S_ISDIR(info.st_mode):
            raise IsADirectoryError
        if stat.S_ISREG(info.st_mode):
            if info.st_size > limits.max_bytes:
                raise _too_large(path, limits)
            with path.open("rb") as handle:
                data = handle.read(limits.max_bytes + 1)
            if len(data) > limits.max_bytes:  # it grew while we read
                raise _too_large(path, limits)
            return data
        with path.open("rb") as handle:
            return _read_stream(path, handle, limits)
    except FileNotFoundError:
        raise DataopsError(f"no file at {path}. Fix: check the path") from None
    except IsADirectoryError:
        raise DataopsError(f"{path} is a folder. Fix: name the CSV file inside it") from None
    except PermissionError:
        raise DataopsError(f"cannot read {path}. Fix: check its permissions") from None


def _read_stream(path: Path, handle, limits: InputLimits) -> bytes:
    chunks, total, line = [], 0, 0
    while chunk := handle.read(_CHUNK):
        if b"\x00" in chunk:
            raise DataopsError(
                f"{path}: the file holds binary data (NUL bytes), not CSV text. Fix: check that "
                "you picked the right file"
            )
        newline = chunk.rfind(b"\n")
        line = line + len(chunk) if newline < 0 else len(chunk) - newline - 1
        total += len(chunk)
        if line > limits.max_line_bytes or total > limits.max_bytes:
            over = _Over(_line_number(chunks, chunk), "line", line)
            problem = _shape_problem(str(path), over, limits) if total <= limits.max_bytes else None
            raise InputTooLarge(str(problem or size_problem(str(path), limits)))
        chunks.append(chunk)
    return b"".join(chunks)


def _line_number(chunks: list[bytes], chunk: bytes) -> int:
    """The line number the current chunk ends on."""
    return sum(c.count(b"\n") for c in chunks) + chunk.count(b"\n") + 1


def _too_large(path: Path | str, limits: InputLimits) -> InputTooLarge:
    return InputTooLarge(str(size_problem(str(path), limits)))


def size_problem(name: str, limits: InputLimits) -> Problem:
    return Problem(
        name,
        f"the file is larger than {limits.max_bytes / 1e6:,g} MB, the most one import takes",
        "split it into smaller files (or raise DATAOPS_MAX_FILE_MB if the machine has the memory)",
    )


def shape_problems(name: str, data: bytes, limits: InputLimits | None = None) -> list[Problem]:
    """What about the file's size and shape is over the limits (empty when all is well).

    One vectorised pass over blocks of the bytes (memory stays a few times the block, whatever
    the file), and a field count by the CSV reader only when quoted cells (which may hold
    commas) are present, stopping at the first record over the limit.
    """
    limits = limits or InputLimits.from_env()
    if len(data) > limits.max_bytes:
        return [size_problem(name, limits)]
    quoted = b'"' in data
    over = _scan_lines(data, limits, count_commas=not quoted)
    if over is None and quoted:
        over = _widest_quoted_record(data, limits.max_columns)
    return [] if over is None else [_shape_problem(name, over, limits)]


@dataclass(frozen=True)
class _Over:
    row: int
    what: str  # "line" or "fields"
    size: int


def _shape_problem(name: str, over: _Over, limits: InputLimits) -> Problem:
    if over.what == "line":
        return Problem(
            name,
            f"line {over.row} is {over.size:,} bytes or longer, more than the "
            f"{limits.max_line_bytes:,} one line may have",
            "check that this is the right CSV file, one row per line (or raise "
            "DATAOPS_MAX_LINE_BYTES)",
            row=over.row,
        )
    return Problem(
        name,
        f"row {over.row} has {over.size:,} fields, more than the {limits.max_columns} a row "
        "may have",
        "keep only the columns the format names (or raise DATAOPS_MAX_COLUMNS)",
        row=over.row,
    )


_BLOCK = 8 << 20


def _scan_lines(data: bytes, limits: InputLimits, *, count_commas: bool) -> _Over | None:
    """The first line that is too long (or, unquoted, has too many fields), block by block;
    lengths first, so an endless line is refused before any comma is counted."""
    import numpy as np  # here: a command that reads no file starts without NumPy

    raw = np.frombuffer(data, dtype=np.uint8)
    line, carry_len, carry_commas = 1, 0, 0
    for offset in range(0, raw.size, _BLOCK):
        block = raw[offset : offset + _BLOCK]
        ends = np.flatnonzero(block == ord("\n"))
        tail = carry_len + block.size
        if ends.size:
            lengths = np.diff(ends, prepend=-1) - 1
            lengths[0] += carry_len
            if (long := np.flatnonzero(lengths > limits.max_line_bytes)).size:
                return _Over(line + int(long[0]), "line", int(lengths[long[0]]))
            tail = block.size - int(ends[-1]) - 1
        if tail > limits.max_line_bytes:  # a line with no end in sight, e.g. /dev/zero
            return _Over(line + ends.size, "line", tail)
        if count_commas:
            commas = np.cumsum(block == ord(","), dtype=np.int32)
            if ends.size:
                fields = np.diff(commas[ends], prepend=0) + 1
                fields[0] += carry_commas
                if (wide := np.flatnonzero(fields > limits.max_columns)).size:
                    return _Over(line + int(wide[0]), "fields", int(fields[wide[0]]))
                carry_commas = int(commas[-1] - commas[ends[-1]])
            else:
                carry_commas += int(commas[-1])
        line, carry_len = line + ends.size, tail
    if count_commas and carry_commas + 1 > limits.max_columns:
        return _Over(line, "fields", carry_commas + 1)
    return None


def _widest_quoted_record(data: bytes, max_columns: int) -> _Over | None:
    text = io.StringIO(data.decode("utf-8", errors="replace"), newline="")
    try:
        for row, record in enumerate(csv.reader(text), start=1):
            if len(record) > max_columns:
                return _Over(row, "fields", len(record))
    except csv.Error:
        return None  # malformed quoting: the parser reports it with its row
    return None
