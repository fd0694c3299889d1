"""A small seeded catalogue for the import tests, and a snapshot of every table to prove that a
refused import changed nothing. (No tests here; the name keeps it beside the tests it serves.)"""

from __future__ import annotations

import duckdb

from metrics.importing import ImportKind, import_files

HEADERS = {
    ImportKind.TEAMS: "team,name,department",
    ImportKind.METRICS: "metric,name,kind,unit,numerator,denominator,higher_is_better",
    ImportKind.OBSERVATIONS: "date,metric,team,value",
    ImportKind.INITIATIVES: "initiative,team,metric,start,end,name",
}

# The store every rule test starts from: two teams, three stored metrics and a ratio of two of
# them, one observation a day for two days, one initiative.
CATALOGUE = {
    ImportKind.TEAMS: ["north,North,sales", "south,South,sales"],
    ImportKind.METRICS: [
        "orders,Orders,flow,orders,,,true",
        "visitors,Visitors,flow,visitors,,,true",
        "dau,Daily active users,level,users,,,true",
        "conversion,Conversion,ratio,%,orders,visitors,true",
    ],
    ImportKind.OBSERVATIONS: ["2024-01-01,orders,north,10", "2024-01-02,orders,north,12.5"],
    ImportKind.INITIATIVES: ["spring,north,orders,2024-01-01,2024-01-07,Spring sale"],
}


def csv(kind: ImportKind, *rows: str, header: str | None = None, newline: str = "\n") -> bytes:
    """A file of `kind`: its header (or `header`) and `rows`, each line ended by `newline`."""
    lines = [HEADERS[kind] if header is None else header, *rows]
    return "".join(line + newline for line in lines).encode("utf-8")


def seed(con: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
    import_files(con, [(kind, f"{kind}.csv", csv(kind, *rows)) for kind, rows in CATALOGUE.items()])
    return con


def snapshot(con: duckdb.DuckDBPyConnection) -> dict[str, list[tuple]]:
    """Every table's full contents, sorted: equal snapshots mean nothing was written."""
    tables = [
        row[0]
        for row in con.execute(
            "select table_name from information_schema.tables where table_schema = 'main'"
            " order by table_name"
        ).fetchall()
    ]
    return {t: con.execute(f"select * from {t} order by all").fetchall() for t in tables}
