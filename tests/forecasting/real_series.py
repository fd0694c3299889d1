"""Loaders for the real public series in /work/shared/data/real (quirks per its README).

Each returns `day, y` sorted, one row per day, so tests and the benchmark backtest them alike.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import polars as pl


def cta(folder: Path, column: str = "total_rides") -> pl.DataFrame:
    """CTA boardings: US dates, exact duplicate rows and rows out of order."""
    raw = pl.read_csv(folder / "cta_ridership_daily_boarding_totals.csv")
    return (
        raw.unique()
        .select(
            day=pl.col("service_date").str.to_date("%m/%d/%Y"), y=pl.col(column).cast(pl.Float64)
        )
        .unique("day")
        .sort("day")
    )


def bikeshare(folder: Path) -> pl.DataFrame:
    """Capital Bikeshare rentals per day, from full days only (first and last are partial)."""
    raw = pl.read_csv(folder / "capital_bikeshare_hourly_2010_2019.csv", columns=["date", "count"])
    return (
        raw.group_by(day=pl.col("date").str.to_date())
        .agg(y=pl.col("count").sum().cast(pl.Float64), hours=pl.len())
        .filter(pl.col("hours") == 24)
        .drop("hours")
        .sort("day")
    )


def uci_bike(folder: Path) -> pl.DataFrame:
    raw = pl.read_csv(folder / "uci_bike_sharing_day.csv")
    return raw.select(day=pl.col("dteday").str.to_date(), y=pl.col("cnt").cast(pl.Float64))


def peyton(folder: Path) -> pl.DataFrame:
    raw = pl.read_csv(folder / "prophet_example_wp_log_peyton_manning.csv")
    return raw.select(day=pl.col("ds").str.to_date(), y=pl.col("y").cast(pl.Float64)).sort("day")


@dataclass(frozen=True)
class RealCase:
    """A real series cut at `end` (the last held-out day); `country` for its public holidays."""

    name: str
    load: object
    end: str
    country: str

    def frame(self, folder: Path) -> pl.DataFrame:
        import datetime as dt

        return self.load(folder).filter(pl.col("day") <= dt.date.fromisoformat(self.end))


# Final holdouts (reported) and development holdouts a year earlier (used to design the grid).
REAL_CASES = (
    RealCase("cta_total", cta, "2019-12-31", "US"),
    RealCase("bikeshare", bikeshare, "2019-08-31", "US"),
    RealCase("uci_bike", uci_bike, "2012-12-31", "US"),
    RealCase("peyton_manning", peyton, "2016-01-20", "US"),
)
DEV_CASES = (
    RealCase("cta_total_dev", cta, "2018-12-31", "US"),
    RealCase("cta_bus_dev", lambda f: cta(f, "bus"), "2017-12-31", "US"),
    RealCase("bikeshare_dev", bikeshare, "2018-08-31", "US"),
    RealCase("peyton_manning_dev", peyton, "2015-01-20", "US"),
)
