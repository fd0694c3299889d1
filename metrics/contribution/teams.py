"""The team side of a contribution report: each team's row, its initiatives and its flags.

A team's row joins its measured contribution (`measurement`), its place in the review
(`metrics.contribution.rollup`), its shares of the company's uplift and gap, and its pace on its own
indicator; the flags add the cooperation checks and the local-win-global-loss check on top.
"""

from __future__ import annotations

from functools import partial

import duckdb
import polars as pl

from metrics.checks.flags import cooperation_flags, local_wins_global_losses
from metrics.contribution import queries as q
from metrics.contribution.attribution import attribute
from metrics.contribution.context import Context
from metrics.contribution.measurement import with_shares
from metrics.contribution.rollup import Level
from metrics.forecasts.reads import goal_baseline_runs
from metrics.plan.pacing import pace_of
from metrics.store.catalog import Metric, MetricKind


def team_rows(ctx: Context, review, measured, company_uplift, gap, daily) -> pl.DataFrame:
    """TEAM_COLUMNS: the review's team rows with shares and indicator paces."""
    rows = review.filter(level=Level.TEAM.value).drop("level").rename({"group": "team"})
    shares = with_shares(measured, company_uplift, gap).select(
        team="group", distinguishable="distinguishable", share_of_uplift="share_of_uplift",
        share_of_gap="share_of_gap",
    )  # fmt: skip
    indicators = indicator_paces(ctx, daily, measured)
    return (
        rows.join(shares, on="team").join(indicators, on="team", how="left").select(*TEAM_COLUMNS)
    )


TEAM_COLUMNS = (
    "team", "department", "actual", "natural", "uplift", "uplift_lower", "uplift_upper",
    "distinguishable", "share_of_uplift", "share_of_gap", "target", "pace", "status",
    "indicator", "indicator_pace", "reported_status", "problems",
)  # fmt: skip


DEPARTMENT_COLUMNS = tuple(
    c for c in TEAM_COLUMNS if c not in ("team", "indicator", "indicator_pace", "reported_status")
)


def department_rows(review, measured, company_uplift, gap) -> pl.DataFrame:
    """DEPARTMENT_COLUMNS: the review's department rows with their shares."""
    rows = review.filter(level=Level.DEPARTMENT.value).select(
        "actual", "natural", "uplift", "uplift_lower", "uplift_upper", "target", "pace",
        "status", "problems", department="group",
    )  # fmt: skip
    shares = with_shares(measured, company_uplift, gap).select(
        department="group", distinguishable="distinguishable",
        share_of_uplift="share_of_uplift", share_of_gap="share_of_gap",
    )  # fmt: skip
    return rows.join(shares, on="department").select(*DEPARTMENT_COLUMNS)


def flags(con: duckdb.DuckDBPyConnection, ctx: Context, daily, initiatives, teams) -> pl.DataFrame:
    """Cooperation flags on the goal's series, then teams that win locally while the company
    gains nothing from them (net of what their campaigns took from others). FLAG_SCHEMA."""
    measured = daily.filter(pl.col("metric").is_in(list(ctx.stored)))
    runs = goal_baseline_runs(con, ctx.goal.id).filter(status="ok")
    bounds = partial(q.probe_bounds, con, runs)
    found = cooperation_flags(measured, initiatives, ctx.start, ctx.as_of, bounds)
    harm = found.filter(kind="cannibalisation").group_by("team").agg(harm=pl.col("amount").sum())
    per = {MetricKind.FLOW: 1, MetricKind.LEVEL: ctx.days(ctx.start, ctx.as_of)}.get(ctx.kind)
    net = pl.col("uplift") - (pl.col("harm").fill_null(0.0) / per if per else 0.0)
    local = teams.join(harm, on="team", how="left").select(
        "team", "indicator", "indicator_pace", metric=pl.lit(ctx.metric.metric),
        contribution=net, start_day=pl.lit(ctx.start), end_day=pl.lit(ctx.as_of),
    ).filter(pl.col("indicator_pace").is_not_null())  # fmt: skip
    wins = local_wins_global_losses(local, on_track=ctx.thresholds.on_track)
    return pl.concat([found, wins])


def initiative_uplifts(
    ctx: Context, daily: pl.DataFrame, initiatives: pl.DataFrame
) -> pl.DataFrame:
    """Each initiative's uplift on every measured series of its team, to date, with what is left
    unattributed (`attribution`). A level series' uplift is per day, as the team's is.

    Columns: metric, team, initiative, name, kind, active_days, per_day, uplift.
    """
    residuals = daily.select("day", "metric", "team", residual=pl.col("actual") - pl.col("natural"))
    split = attribute(residuals, initiatives)
    days = ctx.days(ctx.start, ctx.as_of)
    level = [m for m in split["metric"].unique() if ctx.catalogue[m].kind is MetricKind.LEVEL]
    per_day = pl.when(pl.col("metric").is_in(level)).then(pl.col("uplift") / days)
    return (
        split.with_columns(uplift=per_day.otherwise(pl.col("uplift")))
        .join(initiatives.select("initiative", "name"), on="initiative", how="left")
        .select("metric", "team", "initiative", "name", "kind", "active_days", "per_day", "uplift")
    )


def indicator_paces(ctx: Context, daily: pl.DataFrame, teams: pl.DataFrame) -> pl.DataFrame:
    """Each team's pace on its own indicator (its latest started phase's), to date.

    The indicator's target follows `plan.phase_math`: its natural, raised by the same relative
    uplift the team owes on the goal metric. `teams`: group, target, natural (goal metric, to
    date). Columns: team, indicator, indicator_pace (null without the indicator's baseline).
    """
    started = ctx.phases.filter(pl.col("start_month") <= ctx.as_of).select("phase", "start_month")
    latest = (
        ctx.assignments.join(started, on="phase")
        .sort("start_month")
        .group_by("team")
        .agg(pl.col("indicator").last())
    )
    owed = dict(teams.select("group", pl.col("target") / pl.col("natural")).iter_rows())
    rows = []
    for team, indicator in latest.iter_rows():
        metric = ctx.catalogue.get(indicator)
        pace = None
        if metric is not None and owed.get(team) is not None:
            sums = daily.filter(team=team).group_by("metric").agg(pl.col("actual", "natural").sum())
            pace = _pace(metric, sums.select("metric", "actual", "natural"), owed[team])
        rows.append((team, indicator, pace))
    schema = {"team": pl.String, "indicator": pl.String, "indicator_pace": pl.Float64}
    return pl.DataFrame(rows, schema=schema, orient="row")


def _pace(metric: Metric, sums: pl.DataFrame, relative_target: float) -> float | None:
    """Pace on `metric` from its sums (metric, actual, natural) against natural x target."""
    found = {name: (actual, natural) for name, actual, natural in sums.iter_rows()}
    if any(name not in found for name in metric.stored_metrics):
        return None
    if metric.kind is MetricKind.RATIO:
        (a_num, n_num), (a_den, n_den) = found[metric.numerator], found[metric.denominator]
        actual, natural = a_num / a_den, n_num / n_den
    else:  # a level's totals and averages give the same pace
        actual, natural = found[metric.metric]
    return pace_of(actual, natural * relative_target, metric.higher_is_better)
