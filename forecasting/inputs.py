"""Read what the fits need from the store, and turn it into one job per series.

Reading is quick and done with the store open; the jobs carry plain frames, so the store can be
closed while the models fit.
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass

import duckdb
import polars as pl

from forecasting.calendar import check_country
from forecasting.jobs import Purpose, SeriesJob, history_window
from forecasting.masking import MaskPolicy, MaskScope, masked_days
from forecasting.model import MAX_TRAIN_DAYS
from forecasting.selection import GOAL_ORIGINS
from metrics.forecasts import reads as fs

ROLLING_HORIZON = 90  # days ahead of the data that a rolling forecast covers
# History read per series: the final fit uses the last MAX_TRAIN_DAYS, and the earliest
# backtest origin needs as much again before it.
HISTORY_DAYS = MAX_TRAIN_DAYS + max(GOAL_ORIGINS)
# A rolling run stores its fitted history for the Forecasts page: the last three years of it.
ROLLING_SHOWN_DAYS = 3 * 365
# Measured on the demo (three seeds, current-year GMV/orders/... baselines, error of the measured
# uplift against the planted effects, as a share of the planted total): nothing masked 1.28,
# only the initiative's metric 0.65 (one seed), every series of its team 0.59, plus 7 days after
# 0.53, plus 10 days after 0.48. Campaigns move more than their own metric, and demand they pull
# forward comes back as a dip in the days after them.
MASK_POLICY = MaskPolicy(MaskScope.TEAM, payback_days=10)
COUNTRY_SETTING = "holiday_country"  # the store's default for --country
DEFAULT_COUNTRY = "CN"


@dataclass(frozen=True)
class StoreInputs:
    observations: pl.DataFrame  # day, metric, team, value
    initiatives: pl.DataFrame  # initiative, team, metric (stored), start_day, end_day
    festivals: pl.DataFrame  # event, start_day, end_day
    in_use: pl.DataFrame  # run, metric, team, input_hash, status
    country: str

    @functools.cached_property
    def by_series(self) -> dict[tuple[str, str], pl.DataFrame]:
        """Each series' observations, split once: filtering the whole frame for every series
        made building thousands of jobs quadratic."""
        return self.observations.partition_by("metric", "team", as_dict=True)

    def observed(self, metric: str, team: str) -> pl.DataFrame:
        """The series' observations (day, metric, team, value); none when it has none."""
        found = self.by_series.get((metric, team))
        return self.observations.clear() if found is None else found


def read_inputs(
    con: duckdb.DuckDBPyConnection,
    series: list[tuple[str, str]],
    purpose: str,
    goal: str | None,
    country: str | None,
) -> StoreInputs:
    chosen = country or fs.stored_setting(con, COUNTRY_SETTING) or DEFAULT_COUNTRY
    return StoreInputs(
        observations=fs.series_observations(con, series),
        initiatives=fs.initiative_windows(con),
        festivals=fs.festival_windows(con),
        in_use=fs.runs_in_use(con, purpose, goal),
        country=check_country(chosen),
    )


def series_job(
    inputs: StoreInputs,
    metric: str,
    team: str,
    *,
    before: dt.date | None,
    days: pl.Series | None,
    purpose: Purpose,
    policy: MaskPolicy | None = MASK_POLICY,
) -> SeriesJob:
    """The job for one series: its last HISTORY_DAYS before `before` (all data when None),
    initiative days masked by `policy` (None: nothing masked); `days` defaults to the last
    ROLLING_SHOWN_DAYS of history plus ROLLING_HORIZON ahead."""
    observed = inputs.observed(metric, team)
    masked = (
        masked_days(inputs.initiatives, metric, team, policy)
        if policy is not None
        else pl.Series("day", [], dtype=pl.Date)
    )
    history = history_window(observed, masked, before, HISTORY_DAYS)
    if days is None:
        days = _history_and_ahead(history)
    in_history = masked.filter(masked.is_between(history["day"].min(), history["day"].max()))
    return SeriesJob(
        metric=metric,
        team=team,
        history=history,
        masked=in_history,
        days=days,
        festivals=inputs.festivals,
        country=inputs.country,
        purpose=purpose,
    )


def _history_and_ahead(history: pl.DataFrame) -> pl.Series:
    if history.is_empty():
        return pl.Series("day", [], dtype=pl.Date)
    last = history["day"].max() + dt.timedelta(days=ROLLING_HORIZON)
    first = max(
        history["day"].min(), history["day"].max() - dt.timedelta(days=ROLLING_SHOWN_DAYS - 1)
    )
    return pl.date_range(first, last, "1d", eager=True).alias("day")
