"""Files as people send them: BOM, CRLF, quotes, blank rows, columns moved, several files in one
import, --replace, and the sample templates."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb
import polars as pl
import pytest

from metrics.importing import ImportKind, ImportReport, import_files, validate_files
from metrics.importing.validation import FORMATS
from metrics.importing.writing import Batch, write_batches
from metrics.store.connection import memory_store
from metrics.store.errors import ValidationFailed
from metrics.store.export import read_table, to_csv_bytes
from tests.metrics.test_importing_factories import csv, seed, snapshot

TEAMS, METRICS, OBS, INITS = list(ImportKind)
SAMPLES = Path(__file__).resolve().parents[2] / "data" / "samples"


def observations(con, team: str = "north") -> list[tuple]:
    return con.execute(
        "select day, metric, value from observations where team = $team order by day, metric",
        {"team": team},
    ).fetchall()


@pytest.mark.parametrize(
    ("data", "stored"),
    [
        pytest.param(b"\xef\xbb\xbf" + csv(OBS, "2024-01-03,orders,north,5"), 5.0, id="BOM"),
        pytest.param(csv(OBS, "2024-01-03,orders,north,5", newline="\r\n"), 5.0, id="CRLF"),
        pytest.param(
            b"\xef\xbb\xbf" + csv(OBS, "2024-01-03,orders,north,5", newline="\r\n"), 5.0, id="both"
        ),
        pytest.param(csv(OBS, '"2024-01-03","orders","north","5"'), 5.0, id="all quoted"),
        pytest.param(csv(OBS, "2024-01-03,orders,north,5").rstrip(), 5.0, id="no last newline"),
        pytest.param(
            csv(OBS, "north,5,orders,2024-01-03", header="team,value,metric,date"), 5.0, id="order"
        ),
        pytest.param(csv(OBS, " 2024-01-03 , orders , north , 5 "), 5.0, id="padded cells"),
        pytest.param(csv(OBS, "2024-01-03,orders,north,-1.5e3"), -1500.0, id="exponent"),
        pytest.param(
            csv(OBS, "2024-01-03,orders,north,0.30000000000000004"), 0.1 + 0.2, id="exact float"
        ),
    ],
)
def test_usual_spellings_of_a_good_file_import(con, data, stored):
    seed(con)
    report = import_files(con, [(OBS, "obs.csv", data)])
    assert report == ImportReport(observations=1)
    assert observations(con)[-1] == (date(2024, 1, 3), "orders", stored)


def test_blank_rows_are_skipped_and_rows_keep_their_spreadsheet_numbers(con):
    seed(con)
    data = csv(OBS, "", "2024-01-03,orders,north,5", ",,,", "2024-01-04,orders,west,6", "")
    problems = validate_files(con, [(OBS, "obs.csv", data)])
    assert [(p.row, p.column, p.value) for p in problems] == [(5, "team", "west")]


def test_quoted_cells_keep_commas_quotes_and_line_breaks(con):
    data = csv(
        TEAMS,
        '"east","Sales, East","sales"',
        '"west","The ""West""\nTeam","sales"',
        'tv,5" screens,sales',  # a stray quote inside a cell, as people type it
    )
    import_files(con, [(TEAMS, "teams.csv", data)])
    names = dict(con.execute("select team, name from teams").fetchall())
    assert names["east"] == "Sales, East"
    assert names["west"] == 'The "West"\nTeam'
    assert names["tv"] == '5" screens'


def test_row_numbers_count_records_not_lines_after_a_multiline_cell(con):
    data = csv(TEAMS, '"east","Sales\nEast","sales"', "west,,sales")
    problems = validate_files(con, [(TEAMS, "teams.csv", data)])
    assert [(p.row, p.column) for p in problems] == [(3, "name")]


def test_spreadsheet_spellings_of_kind_and_direction_are_accepted(con):
    data = csv(METRICS, "gmv,GMV,Flow,CNY,,,TRUE", "refunds,Refunds,FLOW,CNY,,,False")
    import_files(con, [(METRICS, "metrics.csv", data)])
    rows = con.execute("select metric, kind, higher_is_better from metrics order by metric")
    assert rows.fetchall() == [("gmv", "flow", True), ("refunds", "flow", False)]


def test_ids_declared_in_the_same_import_count_in_any_order_of_files(con):
    files = [
        (INITS, "initiatives.csv", csv(INITS, "launch,east,gmv,2024-03-01,2024-03-07,Launch")),
        (OBS, "observations.csv", csv(OBS, "2024-03-01,gmv,east,1000")),
        (METRICS, "metrics.csv", csv(METRICS, "gmv,GMV,flow,CNY,,,true")),
        (TEAMS, "teams.csv", csv(TEAMS, "east,East,sales")),
    ]
    report = import_files(con, files)
    assert report == ImportReport(teams=1, metrics=1, observations=1, initiatives=1)


def test_a_ratio_may_divide_metrics_declared_below_it_in_the_same_file(con):
    data = csv(METRICS, "aov,AOV,ratio,CNY,gmv,orders,true", "gmv,GMV,flow,CNY,,,true")
    problems = validate_files(
        con, [(METRICS, "metrics.csv", data + b"orders,Orders,flow,,,,true\n")]
    )
    assert problems == []


def test_one_refused_file_refuses_the_whole_import(con):
    seed(con)
    before = snapshot(con)
    files = [
        (TEAMS, "teams.csv", csv(TEAMS, "east,East,sales")),
        (OBS, "observations.csv", csv(OBS, "2024-03-01,orders,east,oops")),
    ]
    with pytest.raises(ValidationFailed) as refused:
        import_files(con, files)
    assert [(p.file, p.row, p.column) for p in refused.value.problems] == [
        ("observations.csv", 2, "value")
    ]
    assert snapshot(con) == before


def test_ids_of_a_refused_teams_file_do_not_cascade_into_other_files(con):
    files = [
        (TEAMS, "teams.csv", csv(TEAMS, "east,,sales")),
        (OBS, "observations.csv", csv(OBS, "2024-03-01,orders,east,1")),
    ]
    problems = validate_files(con, files)
    assert [(p.file, p.column) for p in problems] == [
        ("teams.csv", "name"),
        ("observations.csv", "metric"),  # orders is not in this empty store; east is declared
    ]


def test_a_key_repeated_across_two_files_names_the_other_file(con):
    seed(con)
    files = [
        (OBS, "january.csv", csv(OBS, "2024-01-05,orders,north,1")),
        (OBS, "january-fix.csv", csv(OBS, "2024-01-05,orders,north,2")),
    ]
    problems = validate_files(con, files)
    assert [(p.file, p.row) for p in problems] == [("january-fix.csv", 2)]
    assert "of row 2 of january.csv" in problems[0].message


def test_replace_overwrites_the_keys_the_store_has_and_adds_the_rest(con):
    seed(con)
    data = csv(OBS, "2024-01-02,orders,north,99", "2024-01-03,orders,north,7")
    report = import_files(con, [(OBS, "obs.csv", data)], replace=True)
    assert report == ImportReport(observations=2, replaced=1)
    assert observations(con) == [
        (date(2024, 1, 1), "orders", 10.0),
        (date(2024, 1, 2), "orders", 99.0),
        (date(2024, 1, 3), "orders", 7.0),
    ]


def test_replace_updates_a_catalogue_entry_in_place(con):
    seed(con)
    import_files(con, [(TEAMS, "teams.csv", csv(TEAMS, "north,North East,sales"))], replace=True)
    assert con.execute("select name from teams where team = 'north'").fetchall() == [
        ("North East",)
    ]


def test_an_exported_catalogue_imports_back_into_a_new_store(con):
    seed(con)
    exported = {kind: to_csv_bytes(read_table(con, kind)) for kind in (TEAMS, METRICS)}
    fresh = memory_store()
    report = import_files(fresh, [(kind, f"{kind}.csv", data) for kind, data in exported.items()])
    assert report == ImportReport(teams=2, metrics=4)  # the reserved team is already there
    for kind in (TEAMS, METRICS):
        assert read_table(fresh, kind).equals(read_table(con, kind))


def test_cells_our_export_neutralised_read_back_as_written(con):
    import_files(con, [(TEAMS, "teams.csv", csv(TEAMS, "'-east,'=East,'@sales"))])
    assert con.execute("select * from teams where team <> 'unassigned'").fetchall() == [
        ("-east", "=East", "@sales")
    ]


def test_the_sample_templates_import_cleanly_one_by_one_in_order(con):
    for kind in ImportKind:
        path = SAMPLES / f"{kind}.csv"
        report = import_files(con, [(kind, path.name, path.read_bytes())])
        assert getattr(report, kind) > 0
    assert con.execute("select count(*) from observations").fetchall()[0][0] == data_rows(
        SAMPLES / "observations.csv"
    )


def data_rows(path: Path) -> int:
    return len(path.read_text(encoding="utf-8").splitlines()) - 1


def test_a_real_file_is_refused_for_its_us_dates_then_for_its_repeated_days(con, real_data):
    """Chicago's ridership export, renamed to our columns: US dates, and days listed twice."""
    raw = pl.read_csv(real_data / "cta_ridership_daily_boarding_totals.csv", infer_schema=False)
    long = raw.unpivot(
        index="service_date", on=["bus", "rail_boardings"], variable_name="metric"
    ).select(
        pl.col("service_date").alias("date"), "metric", pl.lit("unassigned").alias("team"), "value"
    )
    catalogue = (
        METRICS,
        "metrics.csv",
        csv(METRICS, "bus,Bus,flow,rides,,,true", "rail_boardings,Rail,flow,rides,,,true"),
    )

    as_sent = validate_files(con, [catalogue, (OBS, "cta.csv", long.write_csv().encode())])
    assert {(p.column, p.message) for p in as_sent[:-1]} == {
        ("date", "is not a date written YYYY-MM-DD")
    }
    assert (
        as_sent[-1].message
        == f"{long.height - 25:,} more rows with a date not written YYYY-MM-DD are not listed"
    )

    iso = long.with_columns(pl.col("date").str.to_date("%m/%d/%Y").cast(pl.String))
    repeats = iso.select((~pl.struct("date", "metric").is_first_distinct()).sum()).item()
    before = snapshot(con)
    with pytest.raises(ValidationFailed) as refused:
        import_files(con, [catalogue, (OBS, "cta.csv", iso.write_csv().encode())])
    problems = refused.value.problems
    assert repeats > 25 and all(
        "repeats the date, metric and team of row" in p.message for p in problems[:-1]
    )
    assert problems[-1].message.startswith(f"{repeats - 25:,} more rows with a repeated date")
    assert snapshot(con) == before


def test_a_failing_write_rolls_back_and_surfaces_the_database_error(con):
    seed(con)
    before = snapshot(con)
    fine = Batch(
        FORMATS[TEAMS], pl.DataFrame({"team": ["east"], "name": ["E"], "department": ["d"]}), 0
    )
    clash = Batch(
        FORMATS[TEAMS], pl.DataFrame({"team": ["north"], "name": ["N"], "department": ["d"]}), 0
    )
    with pytest.raises(duckdb.ConstraintException):
        write_batches(con, [fine, clash], replace=False)
    assert snapshot(con) == before
