"""Who caused a dip: several campaigns flagged for the same team's shortfall on shared days.

When campaigns of several teams overlap (ten copies of a promotions team running member days in
the same week), each of them sees the victim below its baseline on some of its days. The
victim's daily shortfall below its usual level (its quiet days' median residual) over the union
of their days is regressed on their active-day indicators, non-negative and ridge-regularised as
in `contribution.attribution`; a campaign keeps its flag only when its share of the shortfall stands
out of the victim's own wobble over that many days. Campaigns on exactly the same days share the
blame evenly: the data cannot tell them apart.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from metrics.checks.windows import Days, Schedule
from metrics.checks.wobble import WOBBLE_Z, Wobble
from metrics.stats import RIDGE_DAYS, ridge_nnls


def apportion(
    found: pl.DataFrame,
    schedule: Schedule,
    residual: pl.DataFrame,
    wobble: Wobble,
    excused: dict[tuple[str, str], Days],
) -> pl.DataFrame:
    """Cannibalisation flags (FLAG_SCHEMA) with overlapping culprits sorted out.

    `residual`: day, metric, team, residual. Every flag's amount becomes its share of the
    victim's shortfall over all of its days (a lone flag: the whole shortfall on its days);
    among overlapping flags, one whose share does not stand out is dropped.
    """
    kept = []
    for (metric, victim), group in found.group_by("metric", "other_team", maintain_order=True):
        for cluster in _overlapping(group["initiative"].to_list(), schedule):
            skip = excused.get((str(metric), str(victim)), frozenset())
            shares = _shares(cluster, schedule, residual, wobble, str(metric), str(victim), skip)
            rows = group.join(shares, on="initiative")
            if len(cluster) > 1:  # a lone flag already stood out on its own days
                rows = rows.filter(pl.col("stands_out"))
            kept.append(rows.with_columns(amount="share", detail=_detail(len(cluster))))
    if not kept:
        return found
    return pl.concat(kept).drop("share", "stands_out", "length")


def _detail(campaigns: int) -> pl.Expr:
    shared = (
        f" (its share: {campaigns} campaigns overlapped on those days)" if campaigns > 1 else ""
    )
    return pl.format(
        "{}; over all {} of its days {} fell {} below its usual level" + shared,
        "detail",
        "length",
        "other_team",
        pl.col("share").round(0).cast(pl.Int64),
    )


def _overlapping(names: list[str], schedule: Schedule) -> list[list[str]]:
    """Groups of initiatives linked by shared active days."""
    groups: list[tuple[set[str], set]] = []
    for name in names:
        days = set(schedule.active[name])
        linked = [g for g in groups if g[1] & days]
        merged = ({name}, days)
        for group in linked:
            groups.remove(group)
            merged = (merged[0] | group[0], merged[1] | group[1])
        groups.append(merged)
    return [sorted(members) for members, _ in groups]


def _shares(cluster, schedule, residual, wobble, metric, victim, skip) -> pl.DataFrame:
    """initiative, share (of the victim's shortfall), stands_out, length (its days)."""
    days = sorted(frozenset().union(*(schedule.active[name] for name in cluster)) - skip)
    series = residual.filter(metric=metric, team=victim).select("day", "residual")
    by_day = dict(series.iter_rows())
    center = wobble.spread(metric, victim, 1)[0] or 0.0
    shortfall = np.array([center - by_day.get(day, center) for day in days])
    design = np.array([[day in schedule.active[name] for name in cluster] for day in days], float)
    effect = ridge_nnls(design, shortfall, RIDGE_DAYS)
    rows = []
    for k, name in enumerate(cluster):
        length = int(design[:, k].sum())
        share = float(effect[k] * length)
        scale = wobble.spread(metric, victim, length)[1] if length else None
        rows.append((name, share, scale is not None and share > WOBBLE_Z * scale, length))
    schema = {"initiative": pl.String, "share": pl.Float64, "stands_out": pl.Boolean}
    schema |= {"length": pl.Int64}
    return pl.DataFrame(rows, schema=schema, orient="row")
