"""`dataops source`, `dataops sync` and `dataops refresh`: data that arrives by itself."""

from __future__ import annotations

import datetime as dt
import sys
from typing import Annotated

import typer

from cli.common import (
    STORE_DEFAULT,
    ByOption,
    StoreOption,
    err,
    out,
    print_fits,
    progress_bar,
    who,
)
from metrics.sources import definitions as defs
from metrics.store.errors import DataopsError

# The store's modules (DuckDB, Polars) are imported inside each command, so that
# `dataops source --help` starts without them (tests/cli/test_main.py).

source_app = typer.Typer(help="Where the store fills itself from.", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.add_typer(source_app, name="source")
    app.command("sync")(sync_command)
    app.command("refresh")(refresh_command)


@source_app.command("add")
def add_command(
    name: Annotated[str, typer.Argument(help="A short name, e.g. warehouse.")],
    kind: Annotated[defs.SourceKind, typer.Option("--kind", help="Where the rows live.")],
    table: Annotated[defs.Target, typer.Option("--table", help="What the rows are.")],
    uri: Annotated[
        str,
        typer.Option(
            "--uri",
            help="postgresql://user:${PGPASSWORD}@host/db, a folder or a glob. ${VAR} is read "
            "from the environment at sync time; a literal password is refused.",
        ),
    ],
    query: Annotated[
        str | None,
        typer.Option("--query", help="postgres: SQL returning the format's columns."),
    ] = None,
    restatement_days: Annotated[
        int, typer.Option("--restatement-days", help="Days before the last synced day re-read.")
    ] = defs.DEFAULT_RESTATEMENT_DAYS,
    lag_days: Annotated[
        int, typer.Option("--lag-days", help="Expected latest day = today - this (1 = yesterday).")
    ] = defs.DEFAULT_LAG_DAYS,
    by: ByOption = None,
    store: StoreOption = STORE_DEFAULT,
) -> None:
    """Add a source. Its query (or its whole table or files) returns the columns of the
    import format of --table, e.g. date,metric,team,value for observations."""
    from metrics.store.connection import open_store

    source = defs.Source(name, kind, table, uri, query, restatement_days, lag_days)
    defs.validate_source(source)  # before the store, so a refusal leaves no file behind
    with open_store(store) as con:
        defs.add_source(con, source, who(by))
    out.print(f"added source {name} ({kind} {table}); sync it with `dataops sync {name}`")


@source_app.command("list")
def list_command(store: StoreOption = STORE_DEFAULT) -> None:
    """The sources, passwords masked."""
    from metrics.store.connection import open_store

    with open_store(store, read_only=True) as con:
        frame = defs.sources_table(con)
    if frame.is_empty():
        out.print("no sources yet; add one with `dataops source add`")
        return
    for row in frame.iter_rows(named=True):
        query = f"\n    query: {row['query']}" if row["query"] else ""
        out.print(
            f"{row['source']}: {row['kind']} -> {row['target']}, uri {row['uri']}, "
            f"restatement {row['restatement_days']} days, expected up to today - "
            f"{row['lag_days']} day(s){query}",
            markup=False,
        )


@source_app.command("remove")
def remove_command(
    name: Annotated[str, typer.Argument(help="The source's name.")],
    store: StoreOption = STORE_DEFAULT,
) -> None:
    """Forget a source; the rows it brought and its run history stay."""
    from metrics.store.connection import open_store

    with open_store(store) as con:
        defs.remove_source(con, name)
    out.print(f"removed source {name}")


@source_app.command("expect")
def expect_command(
    metric: Annotated[str, typer.Argument(help="The metric's id.")],
    lag_days: Annotated[int, typer.Option("--lag-days", help="Expected latest day = today - N.")],
    store: StoreOption = STORE_DEFAULT,
) -> None:
    """Set how fresh a metric's data must be (default: up to yesterday)."""
    from metrics.sources.freshness import set_metric_lag
    from metrics.store.connection import open_store

    if lag_days < 0:
        raise DataopsError(f"--lag-days {lag_days} is negative. Fix: give 0 or more days")
    with open_store(store) as con:
        known = {row[0] for row in con.execute("select metric from metrics").fetchall()}
        if metric not in known:
            raise DataopsError(f"no metric {metric!r}. Fix: check it on the Data page")
        set_metric_lag(con, metric, lag_days)
    out.print(f"{metric}: data is expected up to today - {lag_days} day(s)")


SinceOption = Annotated[
    dt.datetime | None,
    typer.Option("--since", formats=["%Y-%m-%d"], help="Re-read from this day (YYYY-MM-DD)."),
]
NoForecastOption = Annotated[
    bool, typer.Option("--no-forecast", help="Do not refit the forecasts of changed series.")
]


def sync_command(
    names: Annotated[
        list[str] | None, typer.Argument(help="Sources to sync (default: all).")
    ] = None,
    since: SinceOption = None,
    no_forecast: NoForecastOption = False,
    store: StoreOption = STORE_DEFAULT,
) -> None:
    """Read what is new in each source (and a restatement window before it), validate it like
    `dataops import` and write each source's batch whole or not at all."""
    from workflows.refresh import sync_then_forecast

    day = since.date() if since else None
    with progress_bar("syncing") as progress:
        outcome = sync_then_forecast(
            store, names or (), since=day, forecast=not no_forecast, progress=progress
        )
    _report(outcome)


def refresh_command(
    no_forecast: NoForecastOption = False,
    store: StoreOption = STORE_DEFAULT,
) -> None:
    """Sync every source and refit the forecasts of what changed; cron-safe (one at a time)."""
    from workflows.refresh import refresh

    with progress_bar("syncing") as progress:
        outcome = refresh(store, forecast=not no_forecast, progress=progress)
    _report(outcome)


def _report(outcome) -> None:
    from metrics.sources.runs import Outcome

    results = outcome.sync.results
    if not results:
        out.print("no sources to sync; add one with `dataops source add`")
    for result in results:
        run = result.run
        if run.outcome == Outcome.OK:
            days = f", days {run.first_day} to {run.last_day}" if run.first_day else ""
            out.print(
                f"{result.source}: read {run.rows_read:,} rows, inserted {run.inserted:,}, "
                f"replaced {run.replaced:,}{days} ({run.seconds:.1f} s)"
            )
        else:
            err.print(f"{result.source}: {run.outcome} — {run.message}", markup=False)
    if outcome.forecasts is not None:
        print_fits(outcome.forecasts)
    if outcome.sync.failed:
        sys.exit(1)
