"""The market calendar as model inputs: public holidays plus the store's festival windows.

Both become regressor columns (one row per day) rather than Prophet's own holidays, because
Prophet's per-day holiday features cost a column each: the five festival windows alone are 62
days, and on the demo a fit with them took 2.8 s against 0.5 s without. Here a festival window
is a shape over its position p (0 on its first day, 1 on its last): a level, p, p^2, p^3 and a
final-day spike, five columns per event whatever its length, shared across years, so a window
that is edited or moves with the lunar calendar keeps its meaning. A public holiday is its days,
the day before the break and the day after it (Christmas Eve, Black Friday, the travel days
around Golden Week): three columns per holiday.
"""

from __future__ import annotations

import datetime as dt
import re

import holidays
import polars as pl

from metrics.store.errors import DataopsError

_SUBSTITUTE = re.compile(r"day off|substitut", re.IGNORECASE)
_OBSERVED = re.compile(r"\s*\((observed|estimated)\)", re.IGNORECASE)
# A substituted day off belongs to the break of the nearest holiday within this many days.
_BREAK_REACH_DAYS = 7
# Days of one holiday no further apart than this form one break (weekends inside it are unlisted).
_BREAK_GAP_DAYS = 3
FESTIVAL_SHAPES = ("level", "p1", "p2", "p3", "final")
HOLIDAY_PARTS = ("days", "before", "after")


def check_country(country: str) -> str:
    """The upper-cased code when the holidays package knows it, else a DataopsError with the fix."""
    code = country.strip().upper()
    if code not in holidays.list_supported_countries():
        raise DataopsError(
            f"unknown country code {country!r}: the holidays package has no public-holiday "
            "calendar for it. Fix: pass an ISO 3166 code such as CN, US, GB or DE"
        )
    return code


def public_holidays(country: str, first_year: int, last_year: int) -> pl.DataFrame:
    """Public holidays of `country`. Columns: day (date), holiday (name shared across years).

    Names are normalised so one holiday is one effect: "(observed)" days join their holiday, and
    substituted days off join the break of the nearest named holiday.
    """
    code = check_country(country)
    found = holidays.country_holidays(code, years=range(first_year, last_year + 1))
    named = {day: _OBSERVED.sub("", name) for day, name in found.items()}
    anchors = sorted((day, name) for day, name in named.items() if not _SUBSTITUTE.search(name))
    rows = []
    for day, name in sorted(named.items()):
        if _SUBSTITUTE.search(name):
            name = _nearest_holiday(day, anchors) or "day off"
        rows.append((day, name))
    return pl.DataFrame(rows, schema={"day": pl.Date, "holiday": pl.String}, orient="row").unique(
        maintain_order=True
    )


def _nearest_holiday(day: dt.date, anchors: list[tuple[dt.date, str]]) -> str | None:
    near = [(abs((other - day).days), name) for other, name in anchors]
    near = [item for item in near if item[0] <= _BREAK_REACH_DAYS]
    return min(near)[1] if near else None


def calendar_features(
    festivals: pl.DataFrame, country: str | None, first: dt.date, last: dt.date
) -> pl.DataFrame:
    """One row per day first..last: `day` and one float column per calendar feature.

    Columns are named `festival:<event>:<shape>` and `holiday:<name>:<part>`; only features that
    touch some day in the range are kept. `festivals` has event, start_day, end_day; `country=None`
    leaves public holidays out.
    """
    days = pl.date_range(first, last, "1d", eager=True).alias("day").to_frame()
    long = [_festival_values(festivals, first, last)]
    if country is not None:
        long.append(_holiday_values(public_holidays(country, first.year - 1, last.year + 1)))
    values = pl.concat(long).filter(pl.col("day").is_between(first, last))
    if values.is_empty():
        return days
    wide = values.group_by("day", "feature").agg(pl.col("value").sum())
    wide = wide.pivot(on="feature", index="day", values="value").fill_null(0.0)
    return (
        days.join(wide, on="day", how="left")
        .fill_null(0.0)
        .select("day", *sorted(wide.columns[1:]))
    )


def _festival_values(festivals: pl.DataFrame, first: dt.date, last: dt.date) -> pl.DataFrame:
    windows = festivals.filter((pl.col("end_day") >= first) & (pl.col("start_day") <= last))
    length = (pl.col("end_day") - pl.col("start_day")).dt.total_days()
    daily = windows.with_columns(day=pl.date_ranges("start_day", "end_day", "1d")).explode("day")
    position = (pl.col("day") - pl.col("start_day")).dt.total_days() / length.clip(lower_bound=1)
    shapes = {
        "level": pl.lit(1.0),
        "p1": position,
        "p2": position**2,
        "p3": position**3,
        "final": (pl.col("day") == pl.col("end_day")).cast(pl.Float64),
    }
    return pl.concat(
        [
            daily.select(
                "day",
                feature=pl.format("festival:{}:{}", "event", pl.lit(shape)),
                value=expression.cast(pl.Float64),
            )
            for shape, expression in shapes.items()
        ]
    )


def _holiday_values(public: pl.DataFrame) -> pl.DataFrame:
    """Each holiday's days, and the day before and after each of its breaks."""
    ordered = public.sort("holiday", "day").with_columns(
        brk=(pl.col("day").diff().dt.total_days().over("holiday") > _BREAK_GAP_DAYS)
        .fill_null(True)
        .cum_sum()
        .over("holiday")
    )
    breaks = ordered.group_by("holiday", "brk").agg(
        first=pl.col("day").min(), last=pl.col("day").max()
    )
    one_day = dt.timedelta(days=1)
    parts = [
        ordered.select("day", "holiday", part=pl.lit("days")),
        breaks.select(day=pl.col("first") - one_day, holiday="holiday", part=pl.lit("before")),
        breaks.select(day=pl.col("last") + one_day, holiday="holiday", part=pl.lit("after")),
    ]
    return pl.concat(parts).select(
        "day", feature=pl.format("holiday:{}:{}", "holiday", "part"), value=pl.lit(1.0)
    )
