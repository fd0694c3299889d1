"""How much a series wobbles by itself: the yardstick that keeps noise from raising flags.

On a team's quiet days (none of its own initiatives or paybacks), every L consecutive days give
one sum of residuals (actual - natural). Their median is the `center` (a baseline biased over
the period shifts it, so bias alone raises no flag) and their median absolute deviation / 0.6745
the `scale`, a robust standard deviation: a few stretches that hide someone else's harm barely
move it. Overlapping stretches are few independent ones, so the scale is floored at what
independent days would give (days that move together make sums noisier, rarely calmer).
"""

from __future__ import annotations

from functools import cache

import numpy as np
import polars as pl

WOBBLE_Z = 4.0  # a window must move more than 4 robust standard deviations of its wobble
MIN_QUIET_STRETCHES = 5
_MAD_TO_SD = 0.6745  # median |x| of a centred normal variable, in standard deviations
Spread = tuple[float | None, float | None]


def busy_days(initiatives: pl.DataFrame) -> pl.DataFrame:
    """team, day: a team's own initiative days and the equally long stretch after each."""
    length = (pl.col("end_day") - pl.col("start_day")).dt.total_days() + 1
    return (
        initiatives.select(
            "team", day=pl.date_ranges("start_day", pl.col("end_day") + pl.duration(days=length))
        )
        .explode("day")
        .unique()
    )


class Wobble:
    """Center and scale of any series' L-day residual sums on its quiet days.

    `residual`: day, metric, team, residual. `busy`: team, day (from `busy_days`).
    """

    def __init__(self, residual: pl.DataFrame, busy: pl.DataFrame) -> None:
        quiet = residual.join(busy, on=["team", "day"], how="anti").sort("metric", "team", "day")
        self._series = {
            (str(metric), str(team)): (
                series["day"].to_numpy().astype("datetime64[D]").astype(np.int64),
                np.nan_to_num(series["residual"].to_numpy().astype(float)),
            )
            for (metric, team), series in quiet.group_by("metric", "team", maintain_order=True)
        }
        self.spread = cache(self._spread)

    def frame(self, lengths) -> pl.DataFrame:
        """metric, team, length, center, scale for every series and each of `lengths` (null
        when the series has under 2 quiet days)."""
        rows = [
            (metric, team, length, *self.spread(metric, team, length))
            for metric, team in self._series
            for length in sorted({int(n) for n in lengths})
        ]
        schema = {"metric": pl.String, "team": pl.String, "length": pl.Int64}
        schema |= {"center": pl.Float64, "scale": pl.Float64}
        return pl.DataFrame(rows, schema=schema, orient="row")

    def _spread(self, metric: str, team: str, length: int) -> Spread:
        day, value = self._series.get((metric, team), (np.array([]), np.array([])))
        independent = _independent(value, length)
        if length == 1 or len(day) < max(length, 2):
            return independent
        sums = np.convolve(value, np.ones(length), mode="valid")
        contiguous = (day[length - 1 :] - day[: len(day) - length + 1]) == length - 1
        chosen = sums[contiguous]
        if chosen.size < MIN_QUIET_STRETCHES:
            return independent
        center = float(np.median(chosen))
        scale = float(np.median(np.abs(chosen - center)) / _MAD_TO_SD)
        return center, max(scale, independent[1] or 0.0)


def _independent(value: np.ndarray, length: int) -> Spread:
    """Center and robust spread of an L-day sum if the quiet days were independent."""
    if value.size < 2:
        return None, None
    center = float(np.median(value))
    scale = float(np.median(np.abs(value - center)) / _MAD_TO_SD)
    return center * length, scale * float(np.sqrt(length))
