"""What one team's review page reads beyond the contribution report, aggregated by the database.

- `team_vs_natural`: the team's actual against its frozen natural baseline per day or week, with
  the baseline's interval taken over sampled paths summed per bucket (never summed daily bounds);
- `team_initiative_windows`: the team's initiatives that touch the goal period;
- `team_checkins`: the team's check-ins on the goal;
- `indicator_standing`: the team's own indicator per phase, actual vs target to date;
- `initiative_intervals`: an interval for each initiative's measured uplift (and the unattributed
  rest), by attributing every sampled natural path the way the report attributes the point one.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

import duckdb
import polars as pl

from metrics.contribution import queries as q
from metrics.contribution.attribution import attribute
from metrics.forecasts.in_use import goal_runs_in_use
from metrics.plan.checkins import load_checkins
from metrics.plan.goals import load_goal
from metrics.plan.pacing import pace_of
from metrics.plan.phase_review import load_team_phase_targets
from metrics.plan.phases import load_phases
from metrics.stats import interval_bounds
from metrics.store.catalog import Metric, MetricKind, load_metrics

_LOW, _HIGH = interval_bounds()

# The goal's frozen baseline runs of one team's series (the runs a report measures against).
_TEAM_RUNS = f"""
    select run, metric from forecast_runs
    where {goal_runs_in_use()} and team = $team and list_contains($metrics, metric)
"""  # noqa: S608 - a fixed predicate; the values are bound parameters


class Grain(StrEnum):
    DAY = "day"
    WEEK = "week"


def team_vs_natural(
    con: duckdb.DuckDBPyConnection, goal_id: str, team: str, grain: Grain, as_of: dt.date
) -> pl.DataFrame:
    """The team's goal metric per bucket over the whole goal period, in the metric's daily terms
    (flow and level: per day, averaged over the bucket's days; ratio: Σ num / Σ den).

    Buckets are days or weeks (Monday first), cut at the goal's start and right after `as_of`, so
    no bucket mixes measured and future days. Columns: period (first day), days, actual (null
    after `as_of`), natural, natural_lower, natural_upper (INTERVAL_WIDTH of the sampled paths).
    Empty when the team has no baseline for the goal.
    """
    goal = load_goal(con, goal_id)
    metric = load_metrics(con)[goal.metric]
    ratio = metric.kind is MetricKind.RATIO
    params = {
        "goal": goal_id, "team": team, "metrics": list(metric.stored_metrics),
        "grain": grain.value, "start": goal.start_day, "end": goal.end_day, "as_of": as_of,
        "num": metric.stored_metrics[0], "den": metric.denominator if ratio else None,
        "ratio": ratio, "low": _LOW, "high": _HIGH,
    }  # fmt: skip
    return con.sql(_TEAM_VS_NATURAL, params=params).pl().rename({"baseline": "natural"})


# Per bucket: the point baseline, the quantiles of each sampled path's bucket total, and the
# actuals. `natural` is a reserved word in DuckDB, hence `baseline`.
_TEAM_VS_NATURAL = f"""
with runs as ({_TEAM_RUNS}),
days as (
    select distinct f.day, greatest(date_trunc($grain, f.day)::date,
        case when f.day > $as_of then $as_of + 1 else $start end) as period
    from runs r join forecasts f using (run) where f.day between $start and $end
),
point as (
    select d.period, count(distinct d.day) as days,
        sum(f.yhat) filter (where r.metric = $num) as num,
        sum(f.yhat) filter (where r.metric = $den) as den
    from runs r join forecasts f using (run) join days d on d.day = f.day
    group by d.period
),
paths as (
    select d.period, s.sample,
        sum(s.value) filter (where r.metric = $num) as num,
        sum(s.value) filter (where r.metric = $den) as den
    from runs r join forecast_samples s using (run) join days d on d.day = s.day
    group by d.period, s.sample
),
spread as (
    select p.period,
        quantile_cont(case when $ratio then p.num / p.den else p.num / t.days end, $low)
            as natural_lower,
        quantile_cont(case when $ratio then p.num / p.den else p.num / t.days end, $high)
            as natural_upper
    from paths p join point t using (period) group by p.period
),
actual as (
    select d.period, count(*) filter (where o.metric = $num) as seen,
        sum(o.value) filter (where o.metric = $num) as num,
        sum(o.value) filter (where o.metric = $den) as den
    from observations o join days d on d.day = o.day
    where o.team = $team and list_contains($metrics, o.metric) and o.day <= $as_of
    group by d.period
)
select t.period, t.days,
    case when $ratio then a.num / a.den else a.num / a.seen end as actual,
    case when $ratio then t.num / t.den else t.num / t.days end as baseline,
    s.natural_lower, s.natural_upper
from point t left join spread s using (period) left join actual a using (period)
order by t.period
"""  # noqa: S608 - only the constant _TEAM_RUNS is interpolated; values are bound


def team_checkins(con: duckdb.DuckDBPyConnection, goal_id: str, team: str) -> pl.DataFrame:
    """`checkins.load_checkins` of one team for one goal, newest first (positional arguments,
    as the app's cached reads pass them)."""
    return load_checkins(con, goal=goal_id, team=team)


def team_initiative_windows(
    con: duckdb.DuckDBPyConnection, team: str, start: dt.date, end: dt.date
) -> pl.DataFrame:
    """The team's initiatives running at some point in [start, end], in time order.

    Columns: initiative, name, metric, start_day, end_day.
    """
    return con.sql(
        """
        select initiative, name, metric, start_day, end_day from initiatives
        where team = $team and start_day <= $end and end_day >= $start
        order by start_day, initiative
        """,
        params={"team": team, "start": start, "end": end},
    ).pl()


def indicator_standing(
    con: duckdb.DuckDBPyConnection, goal_id: str, team: str, as_of: dt.date
) -> pl.DataFrame:
    """The team's indicator in each phase it is assigned: the phase's target (from
    `phase_review.load_team_phase_targets`) and where the indicator stands to `as_of`.

    The target to date follows `phase_math`'s rule: the indicator's natural over the days
    measured so far, raised by the same relative uplift as the whole phase's target.
    Columns: phase, start_day, end_day, indicator, share, indicator_natural, indicator_target
    (whole phase, in the indicator's terms), days (measured so far), actual, natural, target
    (to date), pace (null before the phase starts or without a baseline of the indicator).
    """
    targets = load_team_phase_targets(con, goal_id).filter(team=team)
    phases = load_phases(con, goal_id).select(
        "phase", start_day="start_month", end_day=pl.col("end_month").dt.month_end()
    )
    catalogue = load_metrics(con)
    indicators = [catalogue[m] for m in targets["indicator"].unique().sort() if m in catalogue]
    sums = _phase_sums(con, goal_id, team, indicators, as_of)
    rows = []
    for row in targets.join(phases, on="phase").iter_rows(named=True):
        metric = catalogue.get(row["indicator"])
        mine = sums.filter(phase=row["phase"])
        actual, natural, days = _in_terms(metric, mine) if metric else (None, None, 0)
        relative = _ratio(row["indicator_target"], row["indicator_natural"])
        target = natural * relative if natural is not None and relative is not None else None
        better = metric.higher_is_better if metric else True
        kept = {name: row[name] for name in _FROM_TARGETS}
        rows.append(kept | {"days": days, "actual": actual, "natural": natural,
                            "target": target, "pace": pace_of(actual, target, better)})  # fmt: skip
    return pl.DataFrame(rows, schema=_STANDING_SCHEMA)


_FROM_TARGETS = (
    "phase", "start_day", "end_day", "indicator", "share", "indicator_natural", "indicator_target"
)  # fmt: skip
_STANDING_SCHEMA = {
    "phase": pl.String, "start_day": pl.Date, "end_day": pl.Date, "indicator": pl.String,
    "share": pl.Float64, "indicator_natural": pl.Float64, "indicator_target": pl.Float64,
    "days": pl.Int64, "actual": pl.Float64, "natural": pl.Float64, "target": pl.Float64,
    "pace": pl.Float64,
}  # fmt: skip


def _phase_sums(
    con: duckdb.DuckDBPyConnection, goal_id: str, team: str, metrics: list[Metric], as_of
) -> pl.DataFrame:
    """Per phase and stored metric, the team's actual and natural totals over the days measured
    so far that have both. Columns: phase, metric, actual, natural, days."""
    stored = sorted({name for metric in metrics for name in metric.stored_metrics})
    params = {"goal": goal_id, "team": team, "metrics": stored, "as_of": as_of}
    return con.sql(_PHASE_SUMS, params=params).pl().rename({"baseline": "natural"})


_PHASE_SUMS = f"""
with runs as ({_TEAM_RUNS}),
baseline as (select r.metric, f.day, f.yhat from runs r join forecasts f using (run))
select p.phase, o.metric, sum(o.value) as actual, sum(b.yhat) as baseline,
       count(*)::bigint as days
from phases p
join observations o on o.day between p.start_month and last_day(p.end_month)
join baseline b on b.metric = o.metric and b.day = o.day
where p.goal = $goal and o.team = $team and list_contains($metrics, o.metric)
  and o.day <= $as_of
group by p.phase, o.metric
"""  # noqa: S608 - only the constant _TEAM_RUNS is interpolated; values are bound


def _in_terms(metric: Metric, sums: pl.DataFrame) -> tuple[float | None, float | None, int]:
    """(actual, natural, days) of `metric` from its stored metrics' sums, in its own terms."""
    found = {row["metric"]: row for row in sums.iter_rows(named=True)}
    if any(name not in found for name in metric.stored_metrics):
        return None, None, 0
    first = found[metric.stored_metrics[0]]
    if metric.kind is MetricKind.RATIO:
        second = found[metric.stored_metrics[1]]
        actual = _ratio(first["actual"], second["actual"])
        return actual, _ratio(first["natural"], second["natural"]), first["days"]
    per = first["days"] if metric.kind is MetricKind.LEVEL else 1
    return first["actual"] / per, first["natural"] / per, first["days"]


def _ratio(top: float | None, bottom: float | None) -> float | None:
    return top / bottom if top is not None and bottom else None


def initiative_intervals(
    con: duckdb.DuckDBPyConnection, goal_id: str, team: str, as_of: dt.date
) -> pl.DataFrame:
    """The interval of each of the team's initiative uplifts (and of its unattributed rest).

    `attribution` splits each sampled path's residual (actual - path) the way the report
    splits the point residual; the interval is the INTERVAL_WIDTH quantiles over paths, so it
    carries the baseline's uncertainty. Level series are per day, as in the report.
    Columns: metric, initiative (null: unattributed), uplift_lower, uplift_upper.
    """
    goal = load_goal(con, goal_id)
    catalogue = load_metrics(con)
    residuals = _sampled_residuals(con, goal_id, team, goal.start_day, as_of)
    schema = {"metric": pl.String, "initiative": pl.String}
    empty = pl.DataFrame(schema=schema | {"uplift_lower": pl.Float64, "uplift_upper": pl.Float64})
    if residuals.is_empty():
        return empty
    initiatives = q.initiatives_between(con, goal.start_day, as_of).filter(team=team)
    splits = [
        attribute(paths.drop("sample"), initiatives).with_columns(sample=pl.lit(sample))
        for (sample,), paths in residuals.group_by("sample", maintain_order=True)
    ]
    days = (as_of - goal.start_day).days + 1
    level = [m for m, metric in catalogue.items() if metric.kind is MetricKind.LEVEL]
    uplift = pl.when(pl.col("metric").is_in(level)).then(pl.col("uplift") / days)
    return (
        pl.concat(splits)
        .with_columns(uplift=uplift.otherwise(pl.col("uplift")))
        .group_by("metric", "initiative", maintain_order=True)
        .agg(
            uplift_lower=pl.col("uplift").quantile(_LOW, interpolation="linear"),
            uplift_upper=pl.col("uplift").quantile(_HIGH, interpolation="linear"),
        )
    )


def _sampled_residuals(
    con: duckdb.DuckDBPyConnection, goal_id: str, team: str, start: dt.date, as_of: dt.date
) -> pl.DataFrame:
    """actual - sampled natural path, per path, day and series of the team's baseline, from the
    goal's start to `as_of`. Columns: sample, day, metric, team, residual."""
    return con.sql(
        f"""
        select s.sample, s.day, r.metric, r.team, o.value - s.value as residual
        from forecast_runs r
        join forecast_samples s using (run)
        join observations o on o.metric = r.metric and o.team = r.team and o.day = s.day
        where {goal_runs_in_use("r")} and r.team = $team and s.day between $start and $as_of
        order by s.sample, r.metric, s.day
        """,  # noqa: S608 - a fixed predicate; the values are bound parameters
        params={"goal": goal_id, "team": team, "start": start, "as_of": as_of},
    ).pl()
