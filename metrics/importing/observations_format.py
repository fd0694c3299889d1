"""observations.csv: `date,metric,team,value`, one row per day, metric and team.

A ratio metric has no observations of its own (it is computed from its numerator and denominator
sums), so values for one are refused with the two metrics to import instead.
"""

from __future__ import annotations

import polars as pl

from metrics.importing.checks import (
    Check,
    iso_date,
    known,
    not_in_store,
    parse_date,
    required,
    unique,
)
from metrics.importing.context import Known
from metrics.importing.kinds import Format, ImportKind

COLUMNS = ("date", "metric", "team", "value")
KEY = ("_day", "metric", "team")


def typed(frame: pl.DataFrame) -> pl.DataFrame:
    """Adds _day (Date) and _value (Float64), null where the text is not one."""
    return frame.with_columns(
        parse_date("date").alias("_day"),
        pl.col("value").cast(pl.Float64, strict=False).alias("_value"),
    )


def checks(known_ids: Known, replace: bool) -> list[Check]:
    rules = [
        *map(required, COLUMNS),
        iso_date("date", "_day"),
        _number(),
        _finite(),
        known("team", known_ids.teams, "team"),
        known("metric", known_ids.metrics, "metric"),
        _not_a_ratio(known_ids),
        unique(KEY, "date", "day, metric and team", "date, metric and team"),
    ]
    if replace:
        return rules
    return [*rules, not_in_store("date", "observation", "date, metric and team")]


def _number() -> Check:
    return Check(
        "a value that is not a number",
        pl.col("value").is_not_null() & pl.col("_value").is_null(),
        "is not a number",
        "write a plain number with a dot for decimals and no thousands separators, currency "
        "or % sign, e.g. 1234.5",
        column="value",
    )


def _finite() -> Check:
    return Check(
        "a value that is not finite",
        pl.col("_value").is_nan() | pl.col("_value").is_infinite(),
        "is not a finite number",
        "write the measured value; leave the row out for a day that was not measured",
        column="value",
    )


def _not_a_ratio(known_ids: Known) -> Check:
    parts = known_ids.ratios
    numerator = {ratio: pair[0] for ratio, pair in parts.items()}
    denominator = {ratio: pair[1] for ratio, pair in parts.items()}
    return Check(
        "values for a ratio metric",
        pl.col("metric").is_in(list(parts)),
        "{metric!r} is a ratio metric, computed as {_numerator} / {_denominator}",
        "import the observations of {_numerator} and {_denominator} instead",
        column="metric",
        context=(
            pl.col("metric")
            .replace_strict(numerator, default=None, return_dtype=pl.String)
            .alias("_numerator"),
            pl.col("metric")
            .replace_strict(denominator, default=None, return_dtype=pl.String)
            .alias("_denominator"),
        ),
    )


def rows(frame: pl.DataFrame) -> pl.DataFrame:
    """Output columns: day, metric, team, value."""
    return frame.select(
        pl.col("_day").alias("day"), "metric", "team", pl.col("_value").alias("value")
    )


FORMAT = Format(
    ImportKind.OBSERVATIONS,
    COLUMNS,
    table="observations",
    key={"day": "_day", "metric": "metric", "team": "team"},
    typed=typed,
    checks=checks,
    rows=rows,
)
