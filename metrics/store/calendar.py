"""The market calendar: festival windows that move demand every year, whoever runs operations.

Public holidays come from the `holidays` package (any country). The e-commerce festivals are
kept in the store's `market_calendar` table so a company can edit them; these are the defaults.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

import holidays
import polars as pl

SPRING_FESTIVAL_NAME = "Chinese New Year (Spring Festival)"

# Fixed-date festivals: (event id, display name, (month, first day), (month, last day)).
_FIXED_FESTIVALS = (
    ("618", "618 shopping festival", (6, 1), (6, 18)),
    ("double_11", "Double 11 (Singles' Day)", (11, 1), (11, 11)),
    ("double_12", "Double 12", (12, 8), (12, 12)),
)
# Spring Festival run-up: New Year goods shopping in the weeks before the holiday.
RUNUP_DAYS = (21, 2)  # from 21 days before the festival to 2 days before it
# The holiday week itself: deliveries stop, browsing drops.
HOLIDAY_DAYS = (1, 6)  # from the eve to 6 days after


def spring_festival(year: int) -> dt.date:
    """The first day of the lunar new year in `year` (it moves between 21 Jan and 20 Feb)."""
    china = holidays.country_holidays("CN", years=year)
    days = [day for day, name in china.items() if name == SPRING_FESTIVAL_NAME]
    if not days:
        raise ValueError(f"the holidays package has no Spring Festival for {year}")
    return min(days)


def default_market_calendar(years: Iterable[int]) -> pl.DataFrame:
    """Default festival windows. Columns: event, name, start_day, end_day (dates, inclusive)."""
    rows = []
    for year in years:
        festival = spring_festival(year)
        rows.append(
            (
                "spring_festival_runup",
                "Spring Festival run-up",
                festival - dt.timedelta(days=RUNUP_DAYS[0]),
                festival - dt.timedelta(days=RUNUP_DAYS[1]),
            )
        )
        rows.append(
            (
                "spring_festival",
                "Spring Festival holiday",
                festival - dt.timedelta(days=HOLIDAY_DAYS[0]),
                festival + dt.timedelta(days=HOLIDAY_DAYS[1]),
            )
        )
        for event, name, (m1, d1), (m2, d2) in _FIXED_FESTIVALS:
            rows.append((event, name, dt.date(year, m1, d1), dt.date(year, m2, d2)))
    return pl.DataFrame(
        rows,
        schema={"event": pl.String, "name": pl.String, "start_day": pl.Date, "end_day": pl.Date},
        orient="row",
    ).sort("start_day", "event")
