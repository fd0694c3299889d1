"""Input limits: a file's size, longest line and widest row, refused before any parser runs."""

from __future__ import annotations

from pathlib import Path

import pytest

from metrics.store.errors import DataopsError, InputTooLarge
from metrics.store.input_limits import InputLimits, read_bounded, shape_problems

SMALL = InputLimits(max_bytes=1000, max_columns=5, max_line_bytes=30)


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"a,b,c\n1,2,3\n", None),
        (b"a,b,c\r\n1,2,3", None),
        (b"", None),
        (b"\n\n\n", None),
        (b'a,b\n"1,2,3,4,5,6",2\n', None),  # commas inside quotes are one field
        (b"a,b,c\n1,2,3,4,5,6\n", "row 2 has 6 fields, more than the 5"),
        (b"a,b,c\n1,2,3,4,5,6", "row 2 has 6 fields"),
        (b'a,b\n"1",2,3,4,5,6\n', "row 2 has 6 fields"),
        (b"a,b\n" + b"x" * 40 + b"\n", "line 2 is 40 bytes or longer, more than the 30"),
        (b"a,b\n" + b"x" * 40, "line 2 is 40 bytes"),
        (b"a\n" * 600, "larger than 0.001 MB"),
    ],
    ids=[
        "plain", "crlf without a last newline", "empty", "blank lines", "quoted commas",
        "wide row", "wide last row", "wide quoted file", "long line", "long last line",
        "too large",
    ],
)  # fmt: skip
def test_shape_problems_name_the_first_line_over_a_limit(data, expected):
    found = shape_problems("f.csv", data, SMALL)
    if expected is None:
        assert found == []
    else:
        assert len(found) == 1 and expected in found[0].message and "DATAOPS_MAX" in found[0].fix


@pytest.mark.parametrize(
    ("make", "error", "expected"),
    [
        (lambda tmp: tmp / "absent.csv", DataopsError, "no file at"),
        (lambda tmp: tmp, DataopsError, "is a folder"),
        (lambda tmp: _sized(tmp / "big.csv", 1001), InputTooLarge, "larger than"),
        (lambda tmp: _sized(tmp / "sparse.csv", 2 * 1024**3), InputTooLarge, "larger than"),
    ],
    ids=["missing", "folder", "one byte over", "sparse 2 GB"],
)
def test_read_bounded_refuses_from_the_file_system_alone(tmp_path, make, error, expected):
    with pytest.raises(error, match=expected):
        read_bounded(make(tmp_path), SMALL)


def test_a_device_is_read_only_until_it_shows_what_it_is(tmp_path):
    with pytest.raises(DataopsError, match="binary data"):
        read_bounded(Path("/dev/zero"), SMALL)


def test_a_file_within_the_limits_is_read_whole(tmp_path):
    path = tmp_path / "ok.csv"
    path.write_bytes(b"a,b\n1,2\n")
    assert read_bounded(path, SMALL) == b"a,b\n1,2\n"


@pytest.mark.parametrize("value", ["0", "-1", "many"])
def test_a_limit_set_to_nonsense_is_refused_with_its_name(monkeypatch, value):
    monkeypatch.setenv("DATAOPS_MAX_COLUMNS", value)
    with pytest.raises(DataopsError, match=f"DATAOPS_MAX_COLUMNS={value!r} is not a positive"):
        InputLimits.from_env()


def _sized(path, size: int):
    with path.open("wb") as handle:
        handle.truncate(size)
    return path
