"""The editable market calendar (festival windows) and app settings, seeded with defaults."""

from __future__ import annotations

import duckdb

from metrics.store import calendar

SEED_YEARS = range(2010, 2041)


def apply(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(
        """
        create table market_calendar (
            event      varchar not null,
            name       varchar not null,
            start_day  date not null,
            end_day    date not null,
            primary key (event, start_day),
            check (end_day >= start_day)
        )
        """
    )
    con.execute("create table settings (key varchar primary key, value varchar not null)")
    defaults = calendar.default_market_calendar(SEED_YEARS)  # noqa: F841 - read by DuckDB below
    con.execute("insert into market_calendar select event, name, start_day, end_day from defaults")
