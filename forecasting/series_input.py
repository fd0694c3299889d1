"""A daily `ds, y` series from a user's file or frame, refused with every problem and its fix."""

from __future__ import annotations

from pathlib import Path

import polars as pl

from metrics.store.errors import Problem, ValidationFailed

# Settings are chosen on the training days by holding their own last weeks out, so a backtest
# needs this many observed days before the horizon it holds out.
MIN_TRAIN_DAYS = 56
_FORMAT_FIX = "give one row per day with columns ds (YYYY-MM-DD) and y (a number)"


def read_series_csv(path: Path) -> pl.DataFrame:
    """The CSV at `path` as text columns (check them with `to_history`); ValidationFailed when
    the file cannot be read as CSV."""
    name = str(path)
    try:
        raw = pl.read_csv(path, infer_schema=False)
    except FileNotFoundError:
        raise ValidationFailed(
            [Problem(name, "no such file", "check the path (it is relative to where you run)")]
        ) from None
    except (pl.exceptions.ComputeError, pl.exceptions.NoDataError, UnicodeDecodeError) as error:
        message = f"not a readable CSV file ({str(error).splitlines()[0]})"
        raise ValidationFailed([Problem(name, message, _FORMAT_FIX)]) from None
    return raw


def to_history(frame: pl.DataFrame, *, source: str = "input") -> pl.DataFrame:
    """`ds, y` (text, dates or numbers) as `day, y` sorted, one row per day, gaps as null."""
    missing = [column for column in ("ds", "y") if column not in frame.columns]
    if missing:
        found = ", ".join(frame.columns) or "none"
        raise ValidationFailed(
            [
                Problem(
                    source,
                    f"missing column(s) {', '.join(missing)} (found: {found})",
                    f"rename the date column to ds and the value column to y; {_FORMAT_FIX}",
                )
            ]
        )
    typed = frame.select(
        row=pl.int_range(2, frame.height + 2),
        ds=pl.col("ds").cast(pl.String),
        day=pl.col("ds").cast(pl.String).str.strip_chars().str.to_date("%Y-%m-%d", strict=False),
        raw_y=pl.col("y").cast(pl.String),
        y=pl.col("y").cast(pl.String).str.strip_chars().cast(pl.Float64, strict=False),
    )
    problems = _cell_problems(typed, source) + _duplicate_problems(typed, source)
    if problems:
        raise ValidationFailed(problems)
    data = typed.select("day", "y").sort("day")
    problems = _spacing_problems(data, source)
    if problems:
        raise ValidationFailed(problems)
    days = pl.date_range(data["day"].min(), data["day"].max(), "1d", eager=True).alias("day")
    return days.to_frame().join(data, on="day", how="left")


def _cell_problems(typed: pl.DataFrame, source: str) -> list[Problem]:
    problems = []
    for row, ds, day, raw_y, y in typed.iter_rows():
        if day is None:
            problems.append(
                Problem(source, "not a date", "write dates as YYYY-MM-DD", row, "ds", ds)
            )
        if y is None:
            problems.append(
                Problem(source, "not a number", "write y as a plain number", row, "y", raw_y)
            )
    return problems


def _duplicate_problems(typed: pl.DataFrame, source: str) -> list[Problem]:
    dupes = typed.filter(pl.col("day").is_not_null() & pl.col("day").is_duplicated())
    return [
        Problem(source, "date appears more than once", "keep one row per day", row, "ds", ds)
        for row, ds in dupes.select("row", "ds").iter_rows()
    ]


def _spacing_problems(data: pl.DataFrame, source: str) -> list[Problem]:
    steps = data["day"].diff().dt.total_days().drop_nulls()
    if steps.is_empty() or steps.median() == 1:
        return []
    return [
        Problem(
            source,
            f"dates are {steps.median():.0f} days apart (typical step), not daily",
            "give daily values; a weekly or monthly series cannot be backtested here",
        )
    ]


def check_history(history: pl.DataFrame, horizon: int, *, source: str = "input") -> None:
    """Refuse a horizon the history cannot support, saying how much data would."""
    if horizon < 1:
        raise ValidationFailed(
            [
                Problem(
                    source, f"horizon {horizon} is not a number of days", "pass --horizon 1 or more"
                )
            ]
        )
    train = history.head(max(history.height - horizon, 0))
    observed = train["y"].is_not_null().sum()
    if observed < MIN_TRAIN_DAYS:
        raise ValidationFailed(
            [
                Problem(
                    source,
                    f"{history.height} days of data leave {observed} observed training days "
                    f"before a {horizon}-day holdout; at least {MIN_TRAIN_DAYS} are needed",
                    f"use a shorter --horizon (at most {max(history.height - MIN_TRAIN_DAYS, 0)})"
                    " or a longer series",
                )
            ]
        )
