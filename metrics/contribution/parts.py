"""The measured parts of a contribution report, each from the context and the store's sums.

Numbers are kept as numerator/denominator "mass" until the end, so windows (to date, a month)
and groups (team, department, company) are plain sums, and `in_terms` turns a mass into the
goal's own terms: flow Σ num, level Σ num / days, ratio Σ num / Σ den.
"""

from __future__ import annotations

import datetime as dt

import duckdb
import polars as pl

from metrics.contribution import queries as q
from metrics.contribution.context import Context, sample_sums
from metrics.contribution.measurement import by_role, group_maps, summarise, team_draws, with_shares
from metrics.contribution.rollup import with_status
from metrics.plan.pacing import (
    LandingInputs,
    daily_targets,
    landing,
    run_rate_per_day,
    shares_by_day,
    team_target_mass,
)
from metrics.store.catalog import MetricKind


def in_terms(kind: MetricKind, num: pl.Expr, den: pl.Expr, days: int) -> pl.Expr:
    if kind is MetricKind.RATIO:
        return num / den
    return num / days if kind is MetricKind.LEVEL else num


def company_daily(con: duckdb.DuckDBPyConnection, ctx: Context) -> pl.DataFrame:
    """Every day of the goal period. Columns: day, num_actual, den_actual (null after the as-of
    day), num_natural, den_natural, target, weight (see `metrics.plan.pacing.daily_targets`)."""
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
            target=pl.when(pl.col("target_num").null_count() == 0).then(
                in_terms(ctx.kind, pl.col("target_num").sum(), pl.col("target_den").sum(), days)
            )  # a window with a day of unknown target has an unknown target
        )
        result[level] = summarise(draws, groups, ctx.kind).join(target, on="group", how="left")
    return result


def project_landing(con: duckdb.DuckDBPyConnection, ctx: Context, company: pl.DataFrame):
    """The landing of `plan.pacing.landing` from the company's days and the sampled paths."""
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


def months(con: duckdb.DuckDBPyConnection, ctx: Context, monthly, targets, company) -> pl.DataFrame:
    """`measure` for each month to date, with shares of that month's company uplift and gap.

    `monthly`: month, metric, team, actual, days. Columns: month, level, group, actual,
    natural, uplift, uplift_lower, uplift_upper, distinguishable, share_of_uplift,
    share_of_gap, target, pace, status.
    """
    frames = []
    for (month,), sums in monthly.group_by("month", maintain_order=True):
        window = (max(month, ctx.start), min(month_end(month), ctx.as_of))
        measured = measure(con, ctx, window, sums.drop("month", "days"), targets, company)
        whole = measured["company"].row(0, named=True)
        gap = None if whole["target"] is None else whole["target"] - whole["natural"]
        for level, frame in measured.items():
            shared = with_shares(frame, whole["uplift"], gap)
            rated = with_status(shared, ctx.thresholds, ctx.metric.higher_is_better)
            frames.append(rated.with_columns(month=pl.lit(month), level=pl.lit(level)))
    columns = ["month", "level", "group", "actual", "natural", "uplift", "uplift_lower",
               "uplift_upper", "distinguishable", "share_of_uplift", "share_of_gap", "target",
               "pace", "status"]  # fmt: skip
    return pl.concat(frames).select(columns) if frames else pl.DataFrame()


def month_end(month: dt.date) -> dt.date:
    following = (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return following - dt.timedelta(days=1)
