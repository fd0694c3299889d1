"""The measured parts of a contribution report, each from the context and the store's sums.

Numbers are kept as numerator/denominator "mass" until the end, so windows (to date, a month)
and groups (team, department, company) are plain sums, and `in_terms` turns a mass into the
goal's own terms: flow Σ num, level Σ num / days, ratio Σ num / Σ den.
"""

from __future__ import annotations

import datetime as dt

import duckdb
import polars as pl

from metrics import contribution_queries as q
from metrics.attribution import attribute
from metrics.catalog import Metric, MetricKind
from metrics.contribution import by_role, group_maps, summarise, team_draws
from metrics.contribution_context import Context, sample_sums
from metrics.pacing import (
    LandingInputs,
    daily_targets,
    landing,
    pace_of,
    run_rate_per_day,
    shares_by_day,
    team_target_mass,
)


def in_terms(kind: MetricKind, num: pl.Expr, den: pl.Expr, days: int) -> pl.Expr:
    if kind is MetricKind.RATIO:
        return num / den
    return num / days if kind is MetricKind.LEVEL else num


def company_daily(con: duckdb.DuckDBPyConnection, ctx: Context) -> pl.DataFrame:
    """Every day of the goal period. Columns: day, num_actual, den_actual (null after the as-of
    day), num_natural, den_natural, target, weight (see `metrics.pacing.daily_targets`)."""
    goal = ctx.goal
    days = pl.date_range(goal.start_day, goal.end_day, eager=True).alias("day").to_frame()
    natural = (
        ctx.baseline.filter(pl.col("metric").is_in(list(ctx.stored)))
        .group_by("day", "metric")
        .agg(value=pl.col("yhat").sum())
    )
    actual = q.company_daily(con, ctx.stored, goal.start_day, ctx.as_of).rename({"actual": "value"})
    frame = (
        days.join(by_role(natural, ctx.roles, "natural"), on="day", how="left")
        .join(by_role(actual, ctx.roles, "actual"), on="day", how="left")
        .with_columns(pl.when(pl.col("day") <= ctx.as_of).then(pl.col("num_actual", "den_actual")))
        .sort("day")
    )
    return frame.join(daily_targets(ctx.kind, ctx.monthly, frame), on="day", how="left")


def team_daily(con: duckdb.DuckDBPyConnection, ctx: Context) -> pl.DataFrame:
    """Each baseline series (the goal metric's and the indicators') from the start to the as-of
    day. Columns: day, metric, team, actual, natural."""
    metrics = tuple(ctx.baseline["metric"].unique().sort().to_list())
    actual = q.series_daily(con, metrics, ctx.start, ctx.as_of)
    natural = ctx.baseline.select("day", "metric", "team", natural="yhat")
    return actual.join(natural, on=["day", "metric", "team"], how="inner")


def team_targets(ctx: Context, company: pl.DataFrame) -> pl.DataFrame:
    """Each team's daily target mass. Columns: day, team, target_num, target_den."""
    natural = ctx.baseline.filter(pl.col("metric").is_in(list(ctx.stored))).select(
        "day", "metric", "team", value="yhat"
    )
    shares = shares_by_day(ctx.phases, ctx.assignments, company["day"])
    return team_target_mass(by_role(natural, ctx.roles, "natural"), company, shares)


def measure(
    con: duckdb.DuckDBPyConnection,
    ctx: Context,
    window: tuple[dt.date, dt.date],
    actual: pl.DataFrame,
    targets: pl.DataFrame,
    company: pl.DataFrame,
) -> dict[str, pl.DataFrame]:
    """Uplift and target per team, department and company over `window` (first, last day).

    `actual`: metric, team, actual (the window's sums). Returns per level: group, actual,
    natural, uplift, uplift_lower, uplift_upper, distinguishable, target.
    """
    first, last = window
    days = ctx.days(first, last)
    inside = pl.col("day").is_between(first, last)
    natural = (
        ctx.baseline.filter(inside & pl.col("metric").is_in(list(ctx.stored)))
        .group_by("metric", "team")
        .agg(natural=pl.col("yhat").sum())
    )
    sums = actual.join(natural, on=["metric", "team"], how="inner")
    draws = team_draws(ctx.metric, sums, sample_sums(con, ctx)(first, last), days=days)
    owed = targets.filter(inside)
    company_owed = company.filter(inside).select(
        "day", target_num=pl.col("target") * pl.col("weight"), target_den="weight"
    )
    result = {}
    for level, groups in group_maps(ctx.teams).items():
        mass = owed.join(groups, on="team") if level != "company" else company_owed
        if level == "company":
            mass = mass.with_columns(group=pl.lit("company"))
        target = mass.group_by("group").agg(
            target=in_terms(ctx.kind, pl.col("target_num").sum(), pl.col("target_den").sum(), days)
        )
        result[level] = summarise(draws, groups, ctx.kind).join(target, on="group", how="left")
    return result


def project_landing(con: duckdb.DuckDBPyConnection, ctx: Context, company: pl.DataFrame):
    """The landing of `metrics.pacing.landing` from the company's days and the sampled paths."""
    goal = ctx.goal
    done = company.filter(pl.col("day") <= ctx.as_of)
    rest = company.filter(pl.col("day") > ctx.as_of)
    remaining = rest.height
    if remaining:
        after = sample_sums(con, ctx)(ctx.as_of + dt.timedelta(days=1), goal.end_day)
        paths = by_role(after, ctx.roles, "x")  # team, sample, num_x, den_x
        samples = paths.group_by("sample").agg(num=pl.col("num_x").sum(), den=pl.col("den_x").sum())
    else:
        samples = pl.DataFrame(schema={"sample": pl.Int64, "num": pl.Float64, "den": pl.Float64})
    return landing(
        LandingInputs(
            kind=ctx.kind,
            target=goal.target,
            higher_is_better=ctx.metric.higher_is_better,
            total_days=company.height,
            remaining_days=remaining,
            to_date=(float(done["num_actual"].sum()), float(done["den_actual"].sum())),
            rest=(float(rest["num_natural"].sum()), float(rest["den_natural"].sum())),
            rest_samples=samples,
            run_rate_per_day=run_rate_per_day(done),
        )
    )


def initiative_uplifts(
    ctx: Context, daily: pl.DataFrame, initiatives: pl.DataFrame
) -> pl.DataFrame:
    """Each initiative's uplift on every measured series of its team, to date, with what is left
    unattributed (`metrics.attribution`). A level series' uplift is per day, as the team's is.

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

    The indicator's target follows `metrics.phase_math`: its natural, raised by the same relative
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
