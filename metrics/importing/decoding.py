"""Bytes to text: UTF-8 with or without a BOM, and a clear refusal for anything else.

The common wrong files get a fix that names them (an Excel workbook, UTF-16 "Unicode Text", a
GBK export from Chinese Windows), because "not UTF-8" alone does not tell a user what to do.
"""

from __future__ import annotations

from metrics.store.errors import Problem

UTF8_BOM = b"\xef\xbb\xbf"
SAVE_AS_UTF8 = "save it from your spreadsheet as 'CSV UTF-8 (Comma delimited)' and import that"

# Leading bytes of binary formats people pick by mistake instead of the CSV.
_SIGNATURES = (
    (b"PK\x03\x04", "an Excel workbook (.xlsx) or another zip archive"),
    (b"\xd0\xcf\x11\xe0", "an old Excel workbook (.xls)"),
    (b"%PDF", "a PDF document"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"PAR1", "a Parquet file"),
)
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")


def checked_text(name: str, data: bytes) -> tuple[bytes | None, list[Problem]]:
    """The file's bytes without BOM once known to be UTF-8 text with some content, or None and
    the one problem that stops it being read. Bytes, not str: the CSV reader takes bytes."""
    if data.startswith(UTF8_BOM):
        data = data[len(UTF8_BOM) :]
    refusal = _not_text(name, data)
    if refusal:
        return None, [refusal]
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as error:
        return None, [_not_utf8(name, data, error)]
    if not data or data.isspace():  # (strip() would copy the whole file)
        return None, [
            Problem(
                name,
                "the file is empty",
                "export the data again with its header row and at least one data row",
            )
        ]
    return data, []


def _not_text(name: str, data: bytes) -> Problem | None:
    for signature, what in _SIGNATURES:
        if data.startswith(signature):
            return Problem(name, f"this is {what}, not a CSV text file", SAVE_AS_UTF8)
    if data.startswith(_UTF16_BOMS):
        return Problem(name, "the file is UTF-16 text ('Unicode Text'), not UTF-8", SAVE_AS_UTF8)
    if b"\x00" in data:
        return Problem(
            name,
            "the file holds binary data (NUL bytes), not CSV text",
            f"check that you picked the right file; {SAVE_AS_UTF8}",
        )
    return None


def _not_utf8(name: str, data: bytes, error: UnicodeDecodeError) -> Problem:
    line = data.count(b"\n", 0, error.start) + 1
    bad = data[error.start : error.start + 4]
    guess = ""
    try:
        data.decode("gb18030")
        guess = " (it looks like GBK/GB18030, what Excel on Chinese Windows writes)"
    except UnicodeDecodeError:
        pass
    return Problem(
        name,
        f"the file is not UTF-8{guess}: the first invalid byte is on line {line}",
        SAVE_AS_UTF8,
        value=bad.hex(" "),
    )
