"""The natural series: how each team's segment would move with no operations work at all.

Each segment is built in log space from five components, so the metrics stay consistent:
visitors (V), conversion (C), order value (A), the active share (D) and the sign-up rate (N).

    visitors = e^V    orders = e^(V+C)    gmv = e^(V+C+A)    dau ~ e^(V+D)    new_users = e^(V+N)

Every component is a smooth trend, weekly and yearly seasonality, the market festivals inside the
market calendar's windows (and nowhere else, so a model given that calendar can learn them) and
lognormal day-to-day noise that persists from one day to the next (AR(1) per team).
"""

from __future__ import annotations

import numpy as np
import polars as pl
from scipy.signal import lfilter

from metrics.demo.config import STORED_METRICS, DemoConfig
from metrics.store.calendar import default_market_calendar

COMPONENTS = ("V", "C", "A", "D", "N")
# Day-to-day noise (sd of the log): gmv ends up near 2%, visitors 1.5%, new users 3%, dau 1%.
NOISE = {"V": 0.015, "C": 0.009, "A": 0.008, "D": 0.006, "N": 0.025}
# Monday..Sunday, log: people browse more at weekends but buy a little less of what they see.
WEEKLY = {
    "V": (-0.02, -0.03, -0.02, -0.01, 0.00, 0.04, 0.05),
    "C": (0.010, 0.010, 0.005, 0.0, 0.0, -0.015, -0.010),
    "A": (0.0, 0.0, 0.0, 0.0, 0.005, 0.01, 0.005),
    "D": (0.005, 0.0, 0.0, 0.0, 0.0, -0.01, -0.01),
    "N": (-0.03, -0.03, -0.02, -0.01, 0.01, 0.04, 0.05),
}
# Yearly log amplitude and the day of year it peaks: a busy winter, a summer lull.
YEARLY = {"V": (0.06, 330), "C": (0.04, 345), "A": (0.05, 15), "D": (0.02, 330), "N": (0.05, 250)}
# Festival peak (log) per component; spring_festival is the depth of the holiday-week drop.
FESTIVALS = {
    "spring_festival_runup": {"V": 0.08, "C": 0.10, "A": 0.08, "D": 0.03, "N": 0.05},
    "spring_festival": {"V": -0.22, "C": -0.30, "A": -0.05, "D": -0.08, "N": -0.35},
    "618": {"V": 0.35, "C": 0.45, "A": 0.15, "D": 0.10, "N": 0.25},
    "double_11": {"V": 0.45, "C": 0.60, "A": 0.20, "D": 0.12, "N": 0.30},
    "double_12": {"V": 0.15, "C": 0.20, "A": 0.05, "D": 0.04, "N": 0.10},
}


def festival_shape(event: str, length: int) -> np.ndarray:
    """Relative strength (0..1) on each day of a festival window of `length` days.

    Run-ups and shopping festivals build up to their final day; the Spring Festival holiday is
    deepest in its first days and recovers as deliveries restart.
    """
    position = np.arange(1, length + 1) / length
    if event == "spring_festival":
        return np.clip(1.25 - 0.9 * position, 0.0, 1.0)
    if event == "spring_festival_runup":
        return position**1.5
    if event == "double_12":
        return 0.3 + 0.7 * position**3
    return 0.15 + 0.85 * position**4  # 618 and Double 11: pre-sales, then the final-day rush


def festival_effects(days: pl.Series) -> dict[str, np.ndarray]:
    """Per component, the log effect of the market festivals on each of `days` (a full range)."""
    first, last = days[0], days[-1]
    calendar = default_market_calendar(range(first.year, last.year + 2))
    effects = {component: np.zeros(len(days)) for component in COMPONENTS}
    for event, start, end in calendar.select("event", "start_day", "end_day").iter_rows():
        if event not in FESTIVALS or end < first or start > last:
            continue
        shape = festival_shape(event, (end - start).days + 1)
        lo, hi = (start - first).days, (end - first).days + 1
        cut = slice(max(lo, 0) - lo, min(hi, len(days)) - lo)
        for component, peak in FESTIVALS[event].items():
            effects[component][max(lo, 0) : min(hi, len(days))] += peak * shape[cut]
    return effects


def _seasonal(days: pl.Series) -> tuple[np.ndarray, np.ndarray]:
    weekday = days.dt.weekday().to_numpy() - 1  # Polars: Monday = 1
    day_of_year = days.dt.ordinal_day().to_numpy()
    return weekday, day_of_year


def log_parts(
    config: DemoConfig, segments: pl.DataFrame, rng: np.random.Generator
) -> dict[str, dict[str, np.ndarray]]:
    """Per part ("trend", "season", "noise") and component, a (teams x days) array of logs.

    The parts stay apart because active users follow only half of the visitors' swings.
    """
    days = pl.date_range(config.start, config.end, eager=True)
    years = np.arange(len(days)) / 365.25
    weekday, day_of_year = _seasonal(days)
    festivals = festival_effects(days)
    numeric = [name for name in segments.columns[2:] if segments[name].dtype.is_numeric()]
    s = {name: segments[name].to_numpy()[:, None] for name in numeric}
    # Growth with one change of pace early in the history: mostly linear in level, as in a
    # maturing company (the same gain a year, so a falling rate); some teams compound (the same
    # rate a year) and some decline slowly.
    gain = s["growth"] * years + (s["growth_late"] - s["growth"]) * np.maximum(years - s["knot"], 0)
    kind = segments["growth_kind"].to_numpy()[:, None]
    traffic = np.where(
        kind == "compound",
        np.log(s["visitors"]) + np.log1p(s["growth"]) * years,
        np.log(s["visitors"] * np.maximum(1 + np.where(kind == "decline", -0.3 * gain, gain), 0.2)),
    )
    trend = {
        "V": traffic,
        "C": np.log(s["conversion"] * (1 + 0.01 * years)),
        "A": np.log(s["aov"] * (1 + 0.03 * years)),  # prices creep up
        "D": np.log(s["dau_ratio"]) + np.zeros_like(years),
        "N": np.log(s["signup"] * (1 - 0.02 * years)),  # the market saturates
    }
    season, noise = {}, {}
    for c in COMPONENTS:
        amplitude, peak_day = YEARLY[c]
        yearly = amplitude * np.cos(2 * np.pi * (day_of_year - peak_day) / 365.25)
        season[c] = (
            s["weekly"] * np.asarray(WEEKLY[c])[weekday]
            + s["yearly"] * yearly
            + s["festival"] * festivals[c]
        )
        shocks = rng.normal(0.0, NOISE[c], size=(len(segments), len(days)))
        noise[c] = s["noise_scale"] * ar1(shocks, segments["noise_phi"].to_numpy())
    return {"trend": trend, "season": season, "noise": noise}


def ar1(shocks: np.ndarray, phi: np.ndarray) -> np.ndarray:
    """Rows of AR(1) noise x_t = phi x_(t-1) + e_t, scaled back to the shocks' marginal sd so
    persistence changes how noise lasts, not how large a day's deviation is."""
    rows = [
        lfilter([np.sqrt(1 - p**2)], [1.0, -p], row, zi=[row[0] * p])[0]
        for row, p in zip(shocks, phi, strict=True)
    ]
    return np.vstack(rows) if rows else shocks


def natural_frame(
    config: DemoConfig, segments: pl.DataFrame, rng: np.random.Generator
) -> pl.DataFrame:
    """The noisy natural series, in whole units. Columns: day, metric, team, value."""
    parts = log_parts(config, segments, rng)
    log = {c: sum(parts[part][c] for part in parts) for c in COMPONENTS}
    # Active users are the loyal part of the traffic: they follow half of the visitors' swings.
    swings = parts["season"]["V"] + parts["noise"]["V"]
    values = {
        "gmv": log["V"] + log["C"] + log["A"],
        "orders": log["V"] + log["C"],
        "visitors": log["V"],
        "new_users": log["V"] + log["N"],
        "dau": log["V"] - 0.5 * swings + log["D"],
    }
    days = pl.date_range(config.start, config.end, eager=True).to_numpy()
    teams = segments["team"].to_numpy()
    frames = [
        pl.DataFrame(
            {
                "day": np.tile(days, len(teams)),
                "metric": metric,
                "team": np.repeat(teams, len(days)),
                "value": np.round(np.exp(values[metric])).ravel(),
            }
        )
        for metric in STORED_METRICS
    ]
    return pl.concat(frames).with_columns(pl.col("day").cast(pl.Date))
