"""Initiative attribution: how much of a series' uplift each logged initiative explains.

On one series (metric, team) the daily residual r = actual - natural is regressed on the active-day
indicators of the team's initiatives X (1 on the days an initiative runs), with the coefficients
kept non-negative and shrunk by a ridge penalty:

    minimise |r - X b|^2 + RIDGE_DAYS * |b|^2  subject to b >= 0,

solved as a non-negative least-squares problem on the augmented system [X; sqrt(ridge) I].
An initiative's uplift is its daily effect b times its active days. The ridge splits the
residual of initiatives that run on exactly the same days evenly instead of arbitrarily, and
keeps a lone initiative's estimate within 1/(10 n + 1) of its mean residual over n days. What the
initiatives do not explain (noise, payback after a pull-forward, harm from another team's
campaign, a negative effect the non-negativity refuses) stays in an "unattributed" row: it is
never spread over the initiatives.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from metrics.stats import RIDGE_DAYS, ridge_nnls

UNATTRIBUTED = "unattributed"

_SCHEMA = {
    "metric": pl.String,
    "team": pl.String,
    "initiative": pl.String,
    "kind": pl.String,
    "active_days": pl.Int64,
    "per_day": pl.Float64,
    "uplift": pl.Float64,
}


def attribute(
    residuals: pl.DataFrame, initiatives: pl.DataFrame, *, ridge: float = RIDGE_DAYS
) -> pl.DataFrame:
    """Split each series' summed residual between its initiatives and an unattributed rest.

    `residuals`: day, metric, team, residual (one row per day of the window, per series).
    `initiatives`: initiative, team, start_day, end_day; a series is regressed on its own
    team's initiatives. Returns metric, team, initiative, kind ("initiative" or "unattributed";
    the unattributed row has initiative null), active_days, per_day, uplift. Per series the
    uplifts add up to the summed residual. Only series that have residuals are reported.
    """
    parts = []
    for (metric, team), series in residuals.sort("day").group_by(
        "metric", "team", maintain_order=True
    ):
        # every initiative of the team, whatever metric it aims at: a campaign moves more
        acting = initiatives.filter(team=team).sort("start_day", "initiative")
        parts.append(_series(str(metric), str(team), series, acting, ridge))
    if not parts:
        return pl.DataFrame(schema=_SCHEMA)
    return pl.concat(parts)


def _series(
    metric: str, team: str, series: pl.DataFrame, acting: pl.DataFrame, ridge: float
) -> pl.DataFrame:
    days = series["day"]
    residual = series["residual"].to_numpy().astype(float)
    indicators = active_matrix(days, acting)
    keep = indicators.sum(axis=0) > 0  # initiatives outside the window explain nothing here
    effects = np.zeros(len(acting))
    if keep.any():
        effects[keep] = ridge_nnls(indicators[:, keep], residual, ridge)
    active = indicators.sum(axis=0).astype(int)
    uplift = effects * active
    rows = pl.DataFrame(
        {
            "metric": metric,
            "team": team,
            "initiative": acting["initiative"],
            "kind": "initiative",
            "active_days": active,
            "per_day": effects,
            "uplift": uplift,
        },
        schema=_SCHEMA,
    )
    rest = pl.DataFrame(
        [(metric, team, None, UNATTRIBUTED, len(days), None, residual.sum() - uplift.sum())],
        schema=_SCHEMA,
        orient="row",
    )
    return pl.concat([rows, rest])


def active_matrix(days: pl.Series, acting: pl.DataFrame) -> np.ndarray:
    """(days, initiatives) matrix of 1.0 where the initiative runs on that day."""
    day = days.to_numpy()
    starts = acting["start_day"].to_numpy()
    ends = acting["end_day"].to_numpy()
    return ((day[:, None] >= starts[None, :]) & (day[:, None] <= ends[None, :])).astype(float)
