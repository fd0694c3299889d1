"""The windows the cooperation checks look at, and how much a window's sum wobbles by itself.

A *probe* is one series (metric, team) summed over a set of days. Each initiative gives:

- `window`: its own team's series over its active days (is the team above its baseline?);
- `payback`: its own team's series over the as many days right after the window, leaving out
  days when another of the team's initiatives or any other team's initiative runs (their uplift
  or their harm would be mistaken for the payback);
- `victim`: every other team's series on the metric over the initiative's active days, leaving
  out the victim's own payback days (its own pull-forward is not a cannibalisation).

Days are clipped to the measured window [start, as_of]. Probe days are returned as contiguous
runs so the baseline's sampled paths can be summed over exactly those days.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl

WOBBLE_Z = 4.0  # a window must move more than 4 robust standard deviations of its wobble
MIN_QUIET_STRETCHES = 5
_MAD_TO_SD = 0.6745  # median |x| of a centred normal variable, in standard deviations

PROBE_SCHEMA = {
    "probe": pl.Int64,
    "role": pl.String,
    "initiative": pl.String,
    "team": pl.String,
    "metric": pl.String,
    "series_team": pl.String,
}


def plan_probes(
    initiatives: pl.DataFrame, series: pl.DataFrame, start: dt.date, as_of: dt.date
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Probes for every initiative that ran inside [start, as_of].

    `initiatives`: initiative, team, start_day, end_day. `series`: metric, team (what is measured).
    Returns (probes: PROBE_SCHEMA columns, probe_days: probe, day).
    """
    days = pl.date_range(start, as_of, eager=True).alias("day").to_frame()
    active = _expand(initiatives, pl.col("start_day"), pl.col("end_day"), days)
    length = (pl.col("end_day") - pl.col("start_day")).dt.total_days() + 1
    payback = _expand(
        initiatives,
        pl.col("end_day") + pl.duration(days=1),
        pl.col("end_day") + pl.duration(days=length),
        days,
    )
    probes, probe_days = [], []
    running = initiatives.filter(
        (pl.col("start_day") <= as_of) & (pl.col("end_day") >= start)
    ).sort("start_day", "initiative")
    for row in running.iter_rows(named=True):
        own = active.filter(initiative=row["initiative"]).select("day")
        others_running = active.filter(pl.col("initiative") != row["initiative"])
        pay = (
            payback.filter(initiative=row["initiative"])
            .select("day")
            .join(others_running.select("day"), on="day", how="anti")
        )
        for metric, team in series.sort("metric", "team").iter_rows():
            if team == row["team"]:
                sets = {"window": own, "payback": pay}
            else:
                victim_payback = payback.filter(team=team).select("day")
                sets = {"victim": own.join(victim_payback, on="day", how="anti")}
            for role, chosen in sets.items():
                if chosen.is_empty():
                    continue
                probe = len(probes)
                probes.append((probe, role, row["initiative"], row["team"], metric, team))
                probe_days.append(chosen.unique().with_columns(probe=pl.lit(probe, pl.Int64)))
    frame = pl.DataFrame(probes, schema=PROBE_SCHEMA, orient="row")
    if not probe_days:
        return frame, pl.DataFrame(schema={"day": pl.Date, "probe": pl.Int64})
    return frame, pl.concat(probe_days).select("probe", "day").sort("probe", "day")


def _expand(initiatives: pl.DataFrame, first: pl.Expr, last: pl.Expr, days: pl.DataFrame):
    """initiative, team, day for every day from `first` to `last` that lies in `days`."""
    return (
        initiatives.select("initiative", "team", day=pl.date_ranges(first, last))
        .explode("day")
        .join(days, on="day")
    )


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


def runs(probe_days: pl.DataFrame) -> pl.DataFrame:
    """Contiguous runs of each probe's days. Columns: probe, start_day, end_day."""
    step = (pl.col("day").diff().over("probe").dt.total_days() != 1).fill_null(True)
    return (
        probe_days.sort("probe", "day")
        .with_columns(run=step.cum_sum())
        .group_by("probe", "run")
        .agg(start_day=pl.col("day").min(), end_day=pl.col("day").max())
        .select("probe", "start_day", "end_day")
        .sort("probe", "start_day")
    )


def wobble(daily: pl.DataFrame, busy: pl.DataFrame, lengths) -> pl.DataFrame:
    """How an L-day sum of a series' residuals sits and spreads on its own quiet days.

    `daily`: day, metric, team, residual. `busy`: team, day (the team's own initiative and
    payback days, left out). Every L consecutive quiet days give one sum; `center` is their
    median (a baseline biased over the period shifts it, so bias alone raises no flag) and
    `scale` their median absolute deviation / 0.6745 (a robust standard deviation: a few
    stretches that hide someone else's harm barely move it).
    Returns metric, team, length, center, scale (null when the series has under 2 quiet days).
    """
    quiet = daily.join(busy, on=["team", "day"], how="anti").sort("metric", "team", "day")
    rows = []
    for (metric, team), series in quiet.group_by("metric", "team", maintain_order=True):
        for length in sorted(set(lengths)):
            rows.append((metric, team, length, *_spread(series, length)))
    return pl.DataFrame(
        rows,
        schema={
            "metric": pl.String,
            "team": pl.String,
            "length": pl.Int64,
            "center": pl.Float64,
            "scale": pl.Float64,
        },
        orient="row",
    )


def _spread(series: pl.DataFrame, length: int) -> tuple[float | None, float | None]:
    day = series["day"].to_numpy().astype("datetime64[D]").astype(np.int64)
    value = np.nan_to_num(series["residual"].to_numpy().astype(float))
    if len(day) < max(length, 2):
        return _independent(series, length)
    sums = np.convolve(value, np.ones(length), mode="valid")
    contiguous = (day[length - 1 :] - day[: len(day) - length + 1]) == length - 1
    chosen = sums[contiguous]
    if length == 1 or chosen.size < MIN_QUIET_STRETCHES:
        return _independent(series, length)
    center = float(np.median(chosen))
    scale = float(np.median(np.abs(chosen - center)) / _MAD_TO_SD)
    # Overlapping stretches are few independent ones, so their spread can come out low by
    # chance; days that move together make sums noisier, rarely calmer, than independent days.
    floor = _independent(series, length)[1] or 0.0
    return center, max(scale, floor)


def _independent(series: pl.DataFrame, length: int) -> tuple[float | None, float | None]:
    """Center and robust spread of an L-day sum if the quiet days were independent."""
    value = np.nan_to_num(series["residual"].to_numpy().astype(float))
    if value.size < 2:
        return None, None
    center = float(np.median(value))
    scale = float(np.median(np.abs(value - center)) / _MAD_TO_SD)
    return center * length, scale * float(np.sqrt(length))
