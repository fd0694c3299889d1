"""A goal's contribution report as of a day: pace, landing, who added what, and what went wrong.

`build_report` reads the store through named queries and the frozen baseline, and hands frames
to the pure modules: `contribution` (uplift and intervals), `pacing` (targets to date, landing),
`attribution` (initiatives), `checks` (flags) and `review` (the rollup). It never fits a model:
without a frozen baseline it says how to freeze one (the CLI does that first).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import duckdb
import polars as pl

from metrics.contribution import parts, teams
from metrics.contribution import queries as q
from metrics.contribution.context import Context, load_context
from metrics.contribution.rollup import Level, checkin_problems, rollup
from metrics.plan.checkins import load_checkins
from metrics.plan.goals import Goal, Status
from metrics.plan.pacing import Landing, cumulative, pace_of, status_of
from metrics.store.catalog import Metric


@dataclass(frozen=True)
class Company:
    """The company's numbers for the goal, in the target's own terms."""

    target: float
    natural: float  # over the whole period
    gap: float
    actual_to_date: float
    natural_to_date: float
    target_to_date: float | None  # unknown while the goal's monthly targets are pending
    uplift_to_date: float
    uplift_lower: float | None
    uplift_upper: float | None
    distinguishable: bool | None
    pace: float | None
    status: Status | None

    @property
    def gap_to_date(self) -> float | None:
        if self.target_to_date is None:
            return None
        return self.target_to_date - self.natural_to_date


@dataclass(frozen=True)
class ContributionReport:
    """Everything measured for one goal as of one day, all in the goal metric's own terms.

    teams: team, department, actual, natural, uplift, uplift_lower, uplift_upper,
    distinguishable, share_of_uplift, share_of_gap, target, pace, status, indicator,
    indicator_pace, reported_status, problems (to date). departments: the same without the
    team and indicator columns, keyed by department. months: month, level, group, actual,
    natural, uplift, uplift_lower, uplift_upper, distinguishable, share_of_uplift,
    share_of_gap, target, pace, status. initiatives: see
    `contribution_teams.initiative_uplifts`. flags: `metrics.checks.flags.FLAG_SCHEMA`. review: the
    rollup of `rollup`. running: day, actual_to_date, natural_to_date, target_to_date,
    pace (the company, every day of the period).
    """

    goal: Goal
    metric: Metric
    as_of: dt.date
    company: Company
    landing: Landing
    teams: pl.DataFrame
    departments: pl.DataFrame
    months: pl.DataFrame
    initiatives: pl.DataFrame
    flags: pl.DataFrame
    review: pl.DataFrame
    running: pl.DataFrame

    def table(self) -> pl.DataFrame:
        """Teams, then departments, then the company: level, team, department, actual, natural,
        uplift, uplift_lower, uplift_upper, distinguishable, share_of_uplift, share_of_gap,
        target, pace, status (to date)."""
        c = self.company
        company = pl.DataFrame(
            {
                "actual": [c.actual_to_date], "natural": [c.natural_to_date],
                "uplift": [c.uplift_to_date], "uplift_lower": [c.uplift_lower],
                "uplift_upper": [c.uplift_upper], "distinguishable": [c.distinguishable],
                "share_of_uplift": [1.0 if c.uplift_to_date else None],
                "share_of_gap": [_ratio(c.uplift_to_date, c.gap_to_date)],
                "target": [c.target_to_date], "pace": [c.pace],
                "status": [c.status.value if c.status else None],
            }
        )  # fmt: skip
        parts = [
            self.teams.with_columns(level=pl.lit("team")),
            self.departments.with_columns(level=pl.lit("department")),
            company.with_columns(level=pl.lit("company")),
        ]
        return pl.concat(parts, how="diagonal_relaxed").select(*TABLE_COLUMNS)

    def to_json_dict(self) -> dict:
        """JSON-ready: dates as ISO text, frames as lists of objects."""
        c = self.company
        return {
            "goal": self.goal.id,
            "name": self.goal.name,
            "metric": self.metric.metric,
            "kind": self.metric.kind.value,
            "unit": self.metric.unit,
            "start_day": self.goal.start_day.isoformat(),
            "end_day": self.goal.end_day.isoformat(),
            "as_of": self.as_of.isoformat(),
            "target": c.target,
            "natural": c.natural,
            "gap": c.gap,
            "actual_to_date": c.actual_to_date,
            "natural_to_date": c.natural_to_date,
            "target_to_date": c.target_to_date,
            "gap_to_date": c.gap_to_date,
            "uplift_to_date": {
                "value": c.uplift_to_date,
                "lower": c.uplift_lower,
                "upper": c.uplift_upper,
                "distinguishable": c.distinguishable,
            },
            "pace": c.pace,
            "status": c.status.value if c.status else None,
            "landing": _landing_json(self.landing),
            "teams": records(self.teams),
            "departments": records(self.departments),
            "months": records(self.months),
            "initiatives": records(self.initiatives),
            "flags": records(self.flags),
            "review": records(self.review),
        }


TABLE_COLUMNS = (
    "level", "team", "department", "actual", "natural", "uplift", "uplift_lower", "uplift_upper",
    "distinguishable", "share_of_uplift", "share_of_gap", "target", "pace", "status",
)  # fmt: skip


def _ratio(top: float, bottom: float | None) -> float | None:
    return top / bottom if bottom else None


def _landing_json(landing: Landing) -> dict:
    return {
        "value": landing.value,
        "lower": landing.lower,
        "upper": landing.upper,
        "probability": landing.probability,
        "run_rate": landing.run_rate,
        "value_with_run_rate": landing.value_with_run_rate,
        "probability_with_run_rate": landing.probability_with_run_rate,
    }


def records(frame: pl.DataFrame) -> list[dict]:
    """Rows as dicts with dates in ISO text (JSON has no date type)."""
    dated = [name for name, dtype in frame.schema.items() if dtype in (pl.Date, pl.Datetime)]
    return frame.with_columns(pl.col(dated).cast(pl.String)).to_dicts()


def build_report(
    con: duckdb.DuckDBPyConnection, goal_id: str, as_of: dt.date | None = None
) -> ContributionReport:
    """Measure goal `goal_id` as of `as_of` (default: the last day with data in its period)."""
    ctx = load_context(con, goal_id, as_of)
    company = parts.company_daily(con, ctx)
    targets = parts.team_targets(ctx, company)
    monthly = q.monthly_sums(con, ctx.stored, ctx.start, ctx.as_of)
    to_date_sums = monthly.group_by("metric", "team").agg(pl.col("actual").sum())
    window = (ctx.start, ctx.as_of)
    levels = parts.measure(con, ctx, window, to_date_sums, targets, company)
    summary = _company(ctx, company, levels["company"])
    gap_to_date = summary.gap_to_date
    # Check-ins are written after the numbers they discuss, so only a look back drops later ones.
    until = ctx.as_of if ctx.looking_back else None
    reports = checkin_problems(load_checkins(con, goal_id=goal_id), until)
    review = rollup(
        {Level(level): frame for level, frame in levels.items()},
        ctx.teams,
        reports,
        ctx.thresholds,
        higher_is_better=ctx.metric.higher_is_better,
    )
    daily = parts.team_daily(con, ctx)
    initiatives = q.initiatives_between(con, ctx.start, ctx.as_of)
    rows = teams.team_rows(ctx, review, levels["team"], summary.uplift_to_date, gap_to_date, daily)
    found = teams.flags(con, ctx, daily, initiatives, rows)
    return ContributionReport(
        goal=ctx.goal,
        metric=ctx.metric,
        as_of=ctx.as_of,
        company=summary,
        landing=parts.project_landing(con, ctx, company),
        teams=rows,
        departments=teams.department_rows(
            review, levels["department"], summary.uplift_to_date, gap_to_date
        ),
        months=parts.months(con, ctx, monthly, targets, company),
        initiatives=teams.initiative_uplifts(ctx, daily, initiatives),
        flags=found,
        review=review,
        running=cumulative(ctx.kind, company, ctx.metric.higher_is_better),
    )


def _company(ctx: Context, company: pl.DataFrame, measured: pl.DataFrame) -> Company:
    row = measured.row(0, named=True)
    days = company.height
    natural = parts.in_terms(
        ctx.kind, pl.col("num_natural").sum(), pl.col("den_natural").sum(), days
    )
    whole = float(company.select(natural).item())
    pace = pace_of(row["actual"], row["target"], ctx.metric.higher_is_better)
    return Company(
        target=ctx.goal.target,
        natural=whole,
        gap=ctx.goal.target - whole,
        actual_to_date=row["actual"],
        natural_to_date=row["natural"],
        target_to_date=row["target"],
        uplift_to_date=row["uplift"],
        uplift_lower=row["uplift_lower"],
        uplift_upper=row["uplift_upper"],
        distinguishable=row["distinguishable"],
        pace=pace,
        status=status_of(pace, ctx.thresholds),
    )
