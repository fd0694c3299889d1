"""`dataops import` and `dataops export`: CSV in (validated, all or nothing) and CSV out."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from cli.common import STORE_DEFAULT, StoreOption, out, read_file, who
from metrics.importing import ImportKind
from metrics.store.errors import ValidationFailed
from metrics.store.names import EXPORTABLE_TABLES

# The store's modules (DuckDB, Polars) are imported inside each command, so that
# `dataops import --help` starts without them (tests/cli/test_main.py).


def register(app: typer.Typer) -> None:
    app.command("import")(import_command)
    app.command("export")(export_command)


def import_command(
    kind: Annotated[ImportKind, typer.Argument(help="What the file holds.")],
    file: Annotated[Path, typer.Argument(help="The CSV file (UTF-8, header row first).")],
    replace: Annotated[
        bool, typer.Option("--replace", help="Overwrite rows whose key the store already has.")
    ] = False,
    store: StoreOption = STORE_DEFAULT,
) -> None:
    """Import a CSV file: every row is checked first, and a refused file changes nothing.

    Formats (a header row naming these columns, in any order): teams team,name,department;
    metrics metric,name,kind,unit,numerator,denominator,higher_is_better;
    observations date,metric,team,value; initiatives initiative,team,metric,start,end,name.
    Dates are YYYY-MM-DD. Templates: data/samples/*.csv, imported in that order.
    """
    from metrics.importing import parse_files
    from metrics.importing.log import import_files_by
    from metrics.store.connection import open_store

    parsed = parse_files([(kind, str(file), read_file(file))])  # before the store: no lock held
    created = not store.exists()
    try:
        with open_store(store) as con:
            report = import_files_by(con, parsed, who(None), replace=replace)
    except ValidationFailed:
        if created:  # a refused import leaves no trace, not even an empty store
            _remove_store(store)
        raise
    out.print(f"imported {report} from {file} into {store}", markup=False)


def export_command(
    table: Annotated[str, typer.Argument(help=f"One of: {', '.join(EXPORTABLE_TABLES)}.")],
    out_file: Annotated[Path, typer.Option("--out", help="The CSV file to write.")],
    store: StoreOption = STORE_DEFAULT,
) -> None:
    """Export a table as CSV that is safe to open in a spreadsheet (formulas neutralised)."""
    from metrics.store.connection import open_store
    from metrics.store.export import read_table, require_exportable, write_csv

    require_exportable(table)  # before the store, so a typo is named even where there is none
    with open_store(store, read_only=True) as con:
        frame = read_table(con, table)
    write_csv(frame, out_file)
    out.print(f"exported {frame.height:,} rows of {table} to {out_file}", markup=False)


def _remove_store(store: Path) -> None:
    for path in (store, store.with_name(store.name + ".wal")):
        path.unlink(missing_ok=True)
