"""Every import rule, as a table: a file, the problems it must get, and a store left unchanged.

Each case lists every problem expected, as (row, column, a fragment of the text the user reads),
so a rule that also fires where it should not fails the test too.
"""

from __future__ import annotations

import pytest

from metrics.importing import ImportKind, import_files, validate_files
from metrics.store.connection import memory_store
from metrics.store.errors import ValidationFailed
from tests.metrics.test_importing_factories import csv, seed, snapshot

TEAMS, METRICS, OBS, INITS = list(ImportKind)
NUL_FILE = b"date,metric,team,value\n2024-01-03,orders,north,\x001\n"
XLSX = b"PK\x03\x04\x14\x00\x06\x00" + b"\x00" * 40
UTF16 = "date,metric,team,value\n".encode("utf-16")
LATIN1 = "team,name,department\neast,Caf\xe9,sales\n".encode("latin-1")
GBK = "team,name,department\neast,华东,sales\n".encode("gbk")


def case(name, kind, data, *expected, replace=False):
    """One row of the table: `expected` holds (row, column, text fragment) per problem."""
    return pytest.param(kind, data, replace, expected, id=name)


CASES = [
    case("empty file", OBS, b"", (None, None, "the file is empty")),
    case("only a BOM and blank lines", OBS, b"\xef\xbb\xbf\r\n\n", (None, None, "empty")),
    case("header, no rows", OBS, csv(OBS), (None, None, "no data rows")),
    case("binary", OBS, NUL_FILE, (None, None, "binary data")),
    case("xlsx workbook", OBS, XLSX, (None, None, "Excel workbook")),
    case("utf-16 text", OBS, UTF16, (None, None, "UTF-16")),
    case("latin-1 text", TEAMS, LATIN1, (None, None, "not UTF-8")),
    case("gbk text", TEAMS, GBK, (None, None, "GBK")),
    case("no header", OBS, b"2024-01-03,orders,north,5\n", (1, None, "must be the header")),
    case(
        "semicolons",
        OBS,
        b"date;metric;team;value\r\n2024-01-03;orders;north;5\r\n",
        (1, None, "separated by semicolons"),
    ),
    case("tabs", OBS, b"date\tmetric\tteam\tvalue\n", (1, None, "separated by tabs")),
    case(
        "missing column",
        OBS,
        csv(OBS, "2024-01-03,orders,5", header="date,metric,value"),
        (1, "team", "has no column 'team'"),
    ),
    case(
        "extra column",
        OBS,
        csv(OBS, "2024-01-03,orders,north,5,x", header="date,metric,team,value,note"),
        (1, "note", "remove the column"),
    ),
    case(
        "misnamed column",
        OBS,
        csv(OBS, "2024-01-03,orders,north,5", header="Date,metric,team,value"),
        (1, "Date", "rename it to 'date'"),
    ),
    case(
        "repeated column",
        OBS,
        csv(OBS, "2024-01-03,orders,north,5,6", header="date,metric,team,value,value"),
        (1, "value", "twice"),
    ),
    case(
        "short row",
        OBS,
        csv(OBS, "2024-01-03,orders,5"),
        (2, None, "has 3 values but the header has 4"),
    ),
    case(
        "short row, quoted file",
        OBS,
        csv(OBS, '"2024-01-03","orders","5"'),
        (2, None, "has 3 values but the header has 4"),
    ),
    case("long row", OBS, csv(OBS, "2024-01-03,orders,north,5,6"), (2, None, "has 5 values")),
    case(
        "unquoted comma", OBS, csv(OBS, "2024-01-03,orders,north,1,234"), (2, None, "double quotes")
    ),
    case(
        "empty value", OBS, csv(OBS, "2024-01-03,orders,north,"), (2, "value", "the value is empty")
    ),
    case("bad date", OBS, csv(OBS, "2024-02-30,orders,north,5"), (2, "date", "YYYY-MM-DD")),
    case("US date", OBS, csv(OBS, "01/03/2024,orders,north,5"), (2, "date", "YYYY-MM-DD")),
    case("unpadded date", OBS, csv(OBS, "2024-1-3,orders,north,5"), (2, "date", "YYYY-MM-DD")),
    case(
        "thousands separator",
        OBS,
        csv(OBS, '2024-01-03,orders,north,"1,234.5"'),
        (2, "value", "not a number"),
    ),
    case("percent", OBS, csv(OBS, "2024-01-03,orders,north,12%"), (2, "value", "not a number")),
    case("NaN", OBS, csv(OBS, "2024-01-03,orders,north,NaN"), (2, "value", "not a finite number")),
    case(
        "infinity",
        OBS,
        csv(OBS, "2024-01-03,orders,north,-inf"),
        (2, "value", "not a finite number"),
    ),
    case("overflow", OBS, csv(OBS, "2024-01-03,orders,north,1e400"), (2, "value", "not a finite")),
    case(
        "unknown team", OBS, csv(OBS, "2024-01-03,orders,west,5"), (2, "team", "not a known team")
    ),
    case(
        "unknown metric", OBS, csv(OBS, "2024-01-03,sales,north,5"), (2, "metric", "known metrics:")
    ),
    case(
        "ratio metric",
        OBS,
        csv(OBS, "2024-01-03,conversion,north,0.05"),
        (2, "metric", "import the observations of orders and visitors"),
    ),
    case(
        "duplicate key",
        OBS,
        csv(OBS, "2024-01-03,orders,north,5", "2024-01-03,orders,north,6"),
        (3, "date", "repeats the date, metric and team of row 2"),
    ),
    case("already stored", OBS, csv(OBS, "2024-01-02,orders,north,5"), (2, "date", "import again")),
    case("empty team name", TEAMS, csv(TEAMS, "east,,sales"), (2, "name", "the name is empty")),
    case("reserved team", TEAMS, csv(TEAMS, "unassigned,Nobody,none"), (2, "team", "reserved")),
    case(
        "duplicate team",
        TEAMS,
        csv(TEAMS, "east,East,sales", "east,Far East,sales"),
        (3, "team", "row 2"),
    ),
    case(
        "stored team",
        TEAMS,
        csv(TEAMS, "north,North again,sales"),
        (2, "team", "already has this team"),
    ),
    case(
        "unknown kind",
        METRICS,
        csv(METRICS, "gmv,GMV,sum,CNY,,,true"),
        (2, "kind", "flow, level, ratio"),
    ),
    case(
        "bad direction",
        METRICS,
        csv(METRICS, "gmv,GMV,flow,CNY,,,yes"),
        (2, "higher_is_better", "true, false"),
    ),
    case(
        "numerator on a flow",
        METRICS,
        csv(METRICS, "gmv,GMV,flow,CNY,orders,,true"),
        (2, "numerator", "a flow metric has no numerator"),
    ),
    case(
        "ratio without denominator",
        METRICS,
        csv(METRICS, "aov,AOV,ratio,CNY,orders,,true"),
        (2, "denominator", "needs a denominator"),
    ),
    case(
        "ratio of unknown metric",
        METRICS,
        csv(METRICS, "aov,AOV,ratio,CNY,gmv,orders,true"),
        (2, "numerator", "not a known metric"),
    ),
    case(
        "ratio of a level",
        METRICS,
        csv(METRICS, "stickiness,Stickiness,ratio,,dau,visitors,true"),
        (2, "numerator", "is a level metric"),
    ),
    case(
        "ratio of itself",
        METRICS,
        csv(METRICS, "one,One,ratio,,orders,orders,true"),
        (2, "denominator", "always be 1"),
    ),
    case(
        "stored metric",
        METRICS,
        csv(METRICS, "orders,Orders,flow,orders,,,true"),
        (2, "metric", "import again"),
    ),
    case(
        "ends before start",
        INITS,
        csv(INITS, "summer,north,orders,2024-07-10,2024-07-01,Summer"),
        (2, "end", "ends before it starts (2024-07-10)"),
    ),
    case(
        "bad start",
        INITS,
        csv(INITS, "summer,north,orders,July,2024-07-01,Summer"),
        (2, "start", "YYYY"),
    ),
    case(
        "initiative of unknown team",
        INITS,
        csv(INITS, "summer,west,orders,2024-07-01,2024-07-10,Summer"),
        (2, "team", "not a known team"),
    ),
    case(
        "initiative of unknown metric",
        INITS,
        csv(INITS, "summer,north,gmv,2024-07-01,2024-07-10,Summer"),
        (2, "metric", "not a known metric"),
    ),
    case(
        "initiative of unassigned",
        INITS,
        csv(INITS, "summer,unassigned,orders,2024-07-01,2024-07-10,Summer"),
        (2, "team", "cannot run an initiative"),
    ),
    case(
        "duplicate initiative",
        INITS,
        csv(
            INITS,
            "summer,north,orders,2024-07-01,2024-07-10,A",
            "summer,south,orders,2024-08-01,2024-08-10,B",
        ),
        (3, "initiative", "row 2"),
    ),
    case(
        "stored initiative",
        INITS,
        csv(INITS, "spring,north,orders,2024-03-01,2024-03-10,Again"),
        (2, "initiative", "already has"),
    ),
    case(
        "unnamed initiative",
        INITS,
        csv(INITS, "summer,north,orders,2024-07-01,2024-07-10,"),
        (2, "name", "empty"),
    ),
    case(
        "a team id that is markup",
        TEAMS,
        csv(TEAMS, "![x](http://evil.example/x.png),Evil,growth", "with space,Spaced,growth"),
        (2, "team", "is not a valid team id"),
        (3, "team", "is not a valid team id"),
    ),
    case(
        "a metric id that is a link",
        METRICS,
        csv(METRICS, "[c](javascript:alert(5)),Clicks,flow,clicks,,,true"),
        (2, "metric", "is not a valid metric id"),
    ),
    case(
        "an initiative id with a slash",
        INITS,
        csv(INITS, "a/b,north,orders,2024-07-01,2024-07-10,Slashed"),
        (2, "initiative", "is not a valid initiative id"),
    ),
]
REPLACE_CASES = [
    case(
        "flow with observations made a ratio",
        METRICS,
        csv(
            METRICS,
            "orders,Orders,ratio,,visitors,dau,true",
            "visitors,Visitors,flow,visitors,,,true",
        ),
        (2, "denominator", "is a level metric"),
        (2, "metric", "holds observations"),
        (2, "kind", "'conversion' divides this metric"),
        replace=True,
    ),
    case(
        "part of a stored ratio made a level",
        METRICS,
        csv(METRICS, "visitors,Visitors,level,visitors,,,true"),
        (2, "kind", "the stored ratio 'conversion' divides this metric"),
        replace=True,
    ),
]


@pytest.fixture(scope="module")
def seeded():
    """One seeded store for the module: a refused import writes nothing, which each test proves."""
    connection = seed(memory_store())
    yield connection, snapshot(connection)
    connection.close()


def _located(problems) -> list[tuple[int | None, str | None]]:
    return [(p.row, p.column) for p in problems]


@pytest.mark.parametrize(
    ("kind", "data", "replace", "expected"),
    CASES + REPLACE_CASES,
)
def test_a_file_breaking_a_rule_is_refused_whole_and_the_store_is_unchanged(
    seeded, kind, data, replace, expected
):
    con, before = seeded
    with pytest.raises(ValidationFailed) as refused:
        import_files(con, [(kind, "in.csv", data)], replace=replace)
    placed = {(p.row, p.column): p for p in refused.value.problems}
    assert len(placed) == len(refused.value.problems)
    assert sorted(placed, key=str) == sorted(
        [(row, column) for row, column, _ in expected], key=str
    )
    for row, column, fragment in expected:
        problem = placed[row, column]
        assert fragment in str(problem), str(problem)
        assert problem.file == "in.csv" and problem.fix
    assert snapshot(con) == before
    assert "nothing was written" in str(refused.value)


def test_every_problem_of_a_file_is_reported_at_once_in_row_order(seeded):
    con, _ = seeded
    data = csv(
        OBS,
        "2024-01-03,orders,west,5",
        "2024-13-01,orders,north,x",
        "2024-01-04,conversion,north,1",
        "2024-01-04,orders,north",
    )
    problems = validate_files(con, [(OBS, "obs.csv", data)])
    assert _located(problems) == [
        (2, "team"),
        (3, "date"),
        (3, "value"),
        (4, "metric"),
        (5, None),
    ]


def test_a_million_bad_rows_are_listed_up_to_a_cap_with_a_count_of_the_rest(seeded):
    con, _ = seeded
    rows = [f"2024-02-{day:02d},orders,team_{i},1" for i in range(3) for day in range(1, 29)]
    problems = validate_files(con, [(OBS, "obs.csv", csv(OBS, *rows))])
    listed = [p for p in problems if p.row is not None]
    assert len(listed) == 25 and [p.row for p in listed] == list(range(2, 27))
    assert [str(p) for p in problems if p.row is None] == [
        "obs.csv, column 'team': 59 more rows with an unknown team are not listed. "
        "Fix: correct them like the rows listed above, then import again"
    ]
    assert ValidationFailed(problems).count == 84  # every bad row counts, listed or not
