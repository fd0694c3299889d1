"""Forecast accuracy: MAPE, sMAPE, interval coverage, and the seasonal-naive benchmark."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

YEAR_LAG = 364  # 52 weeks: the same weekday one year earlier
WEEK_LAG = 7


@dataclass(frozen=True)
class Accuracy:
    mape: float
    smape: float
    coverage: float | None = None


def accuracy(
    actual: np.ndarray,
    predicted: np.ndarray,
    lower: np.ndarray | None = None,
    upper: np.ndarray | None = None,
) -> Accuracy:
    """MAPE over days with a non-zero actual, sMAPE over all days, and the share inside [lower,
    upper] (all as fractions, not percent)."""
    actual = np.asarray(actual, dtype=float)
    predicted = np.asarray(predicted, dtype=float)
    nonzero = actual != 0
    mape = float(np.mean(np.abs(actual - predicted)[nonzero] / np.abs(actual[nonzero])))
    denominator = np.abs(actual) + np.abs(predicted)
    ratio = np.divide(
        2 * np.abs(actual - predicted),
        denominator,
        out=np.zeros_like(actual),
        where=denominator > 0,
    )
    coverage = None
    if lower is not None and upper is not None:
        coverage = float(np.mean((actual >= lower) & (actual <= upper)))
    return Accuracy(mape, float(np.mean(ratio)), coverage)


def seasonal_naive(train: pl.DataFrame, days: pl.Series) -> np.ndarray:
    """Same weekday one year earlier, or one week earlier when the history is shorter than a year.

    `train` has `day, y` (y may be null). A day whose lagged value is missing takes the one a
    further period back, so gaps in the history do not leave holes in the benchmark.
    """
    observed = train.filter(pl.col("y").is_not_null())
    values = dict(zip(observed["day"].to_list(), observed["y"].to_list(), strict=True))
    last = observed["day"].max()
    first_needed = days.min() - np.timedelta64(YEAR_LAG, "D").item()
    lag = YEAR_LAG if observed["day"].min() <= first_needed else WEEK_LAG
    return np.array([_lagged(values, day, last, lag) for day in days.to_list()], dtype=float)


def _lagged(values: dict, day, last, lag: int) -> float:
    step = np.timedelta64(lag, "D").item()
    candidate = day - step
    while candidate > last:
        candidate -= step
    for _ in range(8):
        if candidate in values:
            return values[candidate]
        candidate -= step
    return float("nan")
