"""Rows that arrive as columns (a query, Parquet) are refused by the same rules as a CSV."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from metrics.importing import check_frames, import_files

D = dt.date(2026, 11, 20)


@pytest.fixture
def known(con):
    files = [
        ("teams", "teams.csv", b"team,name,department\ngrowth,Growth,g\n"),
        ("metrics", "metrics.csv", b"metric,name,kind,unit,numerator,denominator,"
         b"higher_is_better\ngmv,GMV,flow,,,,true\n"),
    ]  # fmt: skip
    import_files(con, files)
    return con


def problems(con, frame: pl.DataFrame) -> list[str]:
    return [str(p) for p in check_frames(con, [("observations", "source wh", frame)]).problems]


@pytest.mark.parametrize(
    ("rows", "expected"),
    [
        ({"date": [D], "metric": ["gmv"], "team": ["nobody"], "value": [1.0]},
         "source wh, row 1, column 'team', value 'nobody': is not a known team"),
        ({"date": [D], "metric": ["gmv"], "team": ["growth"], "value": [float("inf")]},
         "column 'value', value 'inf': is not a finite number"),
        ({"date": ["20/11/2026"], "metric": ["gmv"], "team": ["growth"], "value": [1.0]},
         "column 'date', value '20/11/2026': is not a date written YYYY-MM-DD"),
        ({"date": [D, D], "metric": ["gmv"] * 2, "team": ["growth"] * 2, "value": [1.0, 2.0]},
         "row 2, column 'date', value '2026-11-20': repeats the date, metric and team of row 1"),
        ({"date": [D], "metric": ["gmv"], "team": ["growth"]},
         "source wh, column 'value': the source has no column 'value'"),
        ({"date": [D], "metric": ["gmv"], "team": ["growth"], "value": [1.0], "note": ["x"]},
         "column 'note': column 'note' is not part of this format"),
        ({"date": [dt.datetime(2026, 11, 20, 13, 5)], "metric": ["gmv"], "team": ["growth"],
          "value": [1.0]}, "value '2026-11-20 13:05:00.000000': is not a date"),
    ],
)  # fmt: skip
def test_each_rule_names_the_source_row_column_and_value(known, rows, expected):
    found = problems(known, pl.DataFrame(rows))
    assert any(expected in p for p in found), found


@pytest.mark.parametrize("day", [D, dt.datetime(2026, 11, 20), "2026-11-20", " 2026-11-20 "])
def test_dates_timestamps_at_midnight_and_iso_text_are_the_same_day(known, day):
    frame = pl.DataFrame({"date": [day], "metric": ["gmv"], "team": ["growth"], "value": [2.5]})
    checked = check_frames(known, [("observations", "source wh", frame)])
    assert checked.problems == []
    assert checked.batches[0].rows.row(0) == (D, "gmv", "growth", 2.5)
