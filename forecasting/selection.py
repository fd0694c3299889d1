"""Per-series model choice by rolling-origin backtests at the horizon the forecast is used at.

A goal baseline is judged on window totals up to a year ahead, a rolling forecast on the next
90 days; so each series is backtested from origins one and one and a half years before the goal
(rolling: 90 and 180 days before its last day), on its training data alone, and every candidate
is scored on the error of its running totals (the quantity teams are judged by), not on daily
errors. The same backtests are what `forecasting.calibration` learns the intervals from.

Why these candidates. On 16 generated companies (90 series; AR(1) noise sd 2-6%, linear,
compound and declining growth, as-of days June to November) the average of a multiplicative
(linear trend) and a log (compound trend) fit with a stiff changepoint prior put 80% of teams
within tolerance (worst miss 3.4% of natural), against 69% for the previous 90-day sMAPE search;
picking per series by backtest never beat that average on those companies: two origins cannot
tell a linear from a compound grower. So the average is the default and a challenger (only the
linear trend, only the compound one, or the average with a damped or flat trend) takes over only
when it halves the default's error at every origin: history must clearly show the shape.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field

import numpy as np
import polars as pl

from forecasting.model import MAX_TRAIN_DAYS, Fitted, Mode, Settings, Trend, fit

# The trend families that are fitted; a candidate averages some of them. A stiff changepoint
# prior: a trend that bends with last quarter's wobbles drifts over a year (cp 0.01: 69% of teams
# within tolerance on the companies above, 0.003: 77%, 0.001: 80%).
FAMILIES = (
    Settings(mode=Mode.MULTIPLICATIVE, changepoint_prior=0.001),
    Settings(log=True, changepoint_prior=0.001),
)
# For series a log fit cannot take (zeros in the majority, or negatives): additive instead.
FALLBACK = Settings(mode=Mode.ADDITIVE, changepoint_prior=0.001)


@dataclass(frozen=True)
class Candidate:
    name: str
    families: tuple[int, ...]  # indexes into the series' families, averaged
    trend: Trend


CANDIDATES = (
    Candidate("blend", (0, 1), Trend.LINEAR),  # the default
    Candidate("linear", (0,), Trend.LINEAR),
    Candidate("compound", (1,), Trend.LINEAR),
    Candidate("blend damped", (0, 1), Trend.DAMPED),
    Candidate("blend flat", (0, 1), Trend.FLAT),
)
# A challenger must reach this share of the default's error at every origin.
CHALLENGER_MARGIN = 0.5
GOAL_ORIGINS = (365, 548)  # days before the goal's first day that its backtests start
SHORT_GOAL_ORIGIN = 182  # when the history cannot hold the two above
ROLLING_HORIZON = 90
# A backtest fit needs this much training: with one year only, yearly seasonality and trend
# cannot be told apart and errors were ten times larger.
MIN_BACKTEST_TRAIN_DAYS = 540
SCORE_EVERY = 30  # running totals are scored every this many days
IN_SAMPLE_DAYS = 365
POLICY = {
    "version": 4,  # bump when a change to the code changes what a fit returns
    "families": [s.to_json() for s in (*FAMILIES, FALLBACK)],
    "candidates": [[c.name, list(c.families), c.trend.value] for c in CANDIDATES],
    "margin": CHALLENGER_MARGIN,
    "goal_origins": [*GOAL_ORIGINS, SHORT_GOAL_ORIGIN],
    "min_train": MIN_BACKTEST_TRAIN_DAYS,
}


@dataclass(frozen=True)
class OriginBacktest:
    """One backtest: fitted on `train_days` observed days before `start`, compared over the
    window from `start`. `frame`: day, y (null where masked or missing), yhat."""

    start: dt.date
    train_days: int
    frame: pl.DataFrame


@dataclass(frozen=True)
class Selection:
    candidate: Candidate
    families: tuple[Settings, ...]
    scores: dict[str, list[float]]  # candidate name -> mean |running-total error| per origin
    backtests: tuple[OriginBacktest, ...]  # of the chosen candidate
    final: tuple[Fitted, ...] = field(repr=False)  # the families fitted on the whole history
    # The chosen candidate's fit over the last year of training (day, y, yhat): daily noise
    # varies with the season, and the backtest windows alone may miss the noisy one.
    in_sample: pl.DataFrame = field(repr=False, default_factory=pl.DataFrame)

    def forecast(self, days: pl.Series) -> pl.DataFrame:
        """day + forecast columns: the chosen candidate's average over its families."""
        fitted = [self.final[i] for i in self.candidate.families]
        return _average([f.predict(days, self.candidate.trend) for f in fitted])

    def settings_json(self) -> str:
        """What was fitted, as stored with the run (`model_text` shows it)."""
        chosen = [json.loads(self.families[i].to_json()) for i in self.candidate.families]
        return json.dumps(
            {"candidate": self.candidate.name, "trend": self.candidate.trend.value, "fits": chosen}
        )

    def to_json(self) -> str:
        """Every candidate's backtest scores and the origins, kept with the run for audit."""
        return json.dumps(
            {
                "chosen": self.candidate.name,
                "scored_on": "mean |error| of running totals, every 30 days",
                "origins": [
                    {"start": str(b.start), "train_days": b.train_days} for b in self.backtests
                ],
                "candidates": [
                    {"name": name, "scores": scores} for name, scores in self.scores.items()
                ],
            }
        )


def families_for(y: pl.Series) -> tuple[Settings, ...]:
    """The families a series can take: a log fit needs mostly positive, non-negative values."""
    if all(settings.usable_for(y) for settings in FAMILIES):
        return FAMILIES
    return (FAMILIES[0], FALLBACK)


def origins(history: pl.DataFrame, first_day: dt.date, horizon: int) -> list[dt.date]:
    """The backtest windows' first days: for a goal (horizon over 90 days) one and one and a
    half years before `first_day`, else `horizon` and twice that before it; only those with
    MIN_BACKTEST_TRAIN_DAYS observed days before them and a window inside the history."""
    gaps = GOAL_ORIGINS if horizon > ROLLING_HORIZON else (horizon, 2 * horizon)
    usable = [first_day - dt.timedelta(days=gap) for gap in gaps]
    usable = [
        start for start in usable if _observed_before(history, start) >= MIN_BACKTEST_TRAIN_DAYS
    ]
    if not usable and horizon > ROLLING_HORIZON:
        start = first_day - dt.timedelta(days=SHORT_GOAL_ORIGIN)
        if _observed_before(history, start) >= MIN_BACKTEST_TRAIN_DAYS:
            usable = [start]
    return usable


def choose(
    history: pl.DataFrame,
    calendar: pl.DataFrame | None,
    first_day: dt.date,
    horizon: int,
) -> Selection:
    """Backtest every candidate on `history` (day, y) from the origins for a forecast of
    `horizon` days from `first_day`, choose, and fit the chosen families on the whole history."""
    families = families_for(history["y"])
    last = history["day"].max()
    runs = []
    for start in origins(history, first_day, horizon):
        end = min(start + dt.timedelta(days=horizon - 1), last)
        train = history.filter(pl.col("day") < start)
        window = history.filter(pl.col("day").is_between(start, end))
        fits = [fit(train, calendar, settings) for settings in families]
        linear = [fitted.predict(window["day"]) for fitted in fits]
        runs.append((start, _observed(train), window, list(zip(fits, linear, strict=True))))
    scores: dict[str, list[float]] = {c.name: [] for c in CANDIDATES}
    frames: dict[str, list[pl.DataFrame]] = {c.name: [] for c in CANDIDATES}
    for _, _, window, fits in runs:
        for candidate in CANDIDATES:
            predicted = _average(
                [fits[i][0].bend(fits[i][1], candidate.trend) for i in candidate.families]
            )
            frame = window.select("day", "y").with_columns(yhat=predicted["yhat"])
            frames[candidate.name].append(frame)
            scores[candidate.name].append(running_total_error(frame))
    chosen = CANDIDATES[winner(scores)]
    backtests = tuple(
        OriginBacktest(start, train_days, frame)
        for (start, train_days, _, _), frame in zip(runs, frames[chosen.name], strict=True)
    )
    final = tuple(fit(history, calendar, settings) for settings in families)
    recent = history.filter(pl.col("day") > last - dt.timedelta(days=IN_SAMPLE_DAYS))
    fitted = _average([final[i].predict(recent["day"]) for i in chosen.families])
    in_sample = recent.select("day", "y").with_columns(yhat=fitted["yhat"])
    return Selection(chosen, families, scores, backtests, final, in_sample)


def winner(scores: dict[str, list[float]]) -> int:
    """Index into CANDIDATES: the default unless a challenger reaches CHALLENGER_MARGIN of its
    error at every origin (the lowest such challenger)."""
    default = scores[CANDIDATES[0].name]
    if not default:
        return 0
    best, best_total = 0, float("inf")
    for index, candidate in enumerate(CANDIDATES[1:], start=1):
        mine = scores[candidate.name]
        clearly = all(m <= CHALLENGER_MARGIN * d for m, d in zip(mine, default, strict=True))
        if clearly and sum(mine) < best_total:
            best, best_total = index, sum(mine)
    return best


def running_total_error(frame: pl.DataFrame) -> float:
    """Mean |relative error| of the running totals over observed days, every SCORE_EVERY days
    and at the end: how far off a window total measured from the origin would have been."""
    observed = frame.filter(pl.col("y").is_not_null())
    if observed.is_empty():
        return float("nan")
    actual = np.cumsum(observed["y"].to_numpy())
    predicted = np.cumsum(observed["yhat"].to_numpy())
    offset = (observed["day"] - frame["day"].min()).dt.total_days().to_numpy() + 1
    checks = (offset % SCORE_EVERY == 0) | (np.arange(len(offset)) == len(offset) - 1)
    errors = np.abs(actual[checks] - predicted[checks]) / np.abs(predicted[checks])
    return float(np.mean(errors))


def _average(frames: list[pl.DataFrame]) -> pl.DataFrame:
    if len(frames) == 1:
        return frames[0]
    columns = frames[0].columns[1:]
    return (
        frames[0]
        .select("day")
        .with_columns(
            [
                pl.Series(name, np.mean([f[name].to_numpy() for f in frames], axis=0))
                for name in columns
            ]
        )
    )


def _observed(frame: pl.DataFrame) -> int:
    """Observed days a fit on `frame` uses (at most the last MAX_TRAIN_DAYS)."""
    observed = frame.filter(pl.col("y").is_not_null())["day"]
    if observed.is_empty():
        return 0
    return int((observed >= observed.max() - dt.timedelta(days=MAX_TRAIN_DAYS - 1)).sum())


def _observed_before(history: pl.DataFrame, start: dt.date) -> int:
    """Days spanned by the observations before `start` (masked days count: they are inside
    the span the trend is learnt over)."""
    observed = history.filter(pl.col("day") < start, pl.col("y").is_not_null())["day"]
    return 0 if observed.is_empty() else (observed.max() - observed.min()).days + 1
