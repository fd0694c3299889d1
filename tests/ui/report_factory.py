"""A small contribution report built by hand, for the display and meeting-pack tests.

Three teams in two departments on a GMV goal; the review rollup is made by the domain's own
`contribution.rollup.rollup` from the check-ins given, so problems arrive the way the report brings
them. Numbers are round, so the expected text is easy to read in a test.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

import polars as pl

from metrics.checks.flags import FLAG_SCHEMA
from metrics.contribution.report import Company, ContributionReport
from metrics.contribution.rollup import Level, checkin_problems, rollup
from metrics.plan.decomposition import Method
from metrics.plan.goals import Goal, StatusThresholds
from metrics.plan.pacing import Landing
from metrics.store.catalog import Metric, MetricKind

START, END, AS_OF = dt.date(2025, 1, 1), dt.date(2025, 12, 31), dt.date(2025, 6, 30)
TEAMS = pl.DataFrame(
    {"team": ["alpha", "beta", "gamma"], "department": ["sales", "sales", "growth"]}
)
# team -> target, actual, natural, uplift_lower, uplift_upper (to date)
NUMBERS = {
    "alpha": (120.0, 130.0, 100.0, 20.0, 40.0),  # ahead, clearly above natural
    "beta": (220.0, 190.0, 200.0, -25.0, 5.0),  # behind, not distinguishable
    "gamma": (60.0, 57.0, 50.0, 4.0, 10.0),  # at risk
}
CHECKIN_COLUMNS = (
    "checkin", "team", "department", "goal", "created_at", "author", "status", "notes",
    "problems", "next_actions",
)  # fmt: skip


def checkins(rows: list[tuple[str, str, str, str]]) -> pl.DataFrame:
    """Check-ins shaped like `load_checkins`, from (team, status, problems, next_actions),
    the later rows newer."""
    departments = dict(TEAMS.iter_rows())
    records = [
        (f"c{n}", team, departments.get(team), "g", dt.datetime(2025, 7, 1, 9, n), "Ann", status,
         "", problems, actions)
        for n, (team, status, problems, actions) in enumerate(rows)
    ]  # fmt: skip
    schema = dict.fromkeys(CHECKIN_COLUMNS, pl.String) | {"created_at": pl.Datetime("us")}
    return pl.DataFrame(records, schema=schema, orient="row").sort("created_at", descending=True)


def flags(rows: list[tuple]) -> pl.DataFrame:
    """Flags from (kind, team, other_team, initiative, amount, detail) in the first quarter."""
    records = [
        (kind, team, other, initiative, "gmv", dt.date(2025, 3, 1), dt.date(2025, 3, 14), amount,
         detail)
        for kind, team, other, initiative, amount, detail in rows
    ]  # fmt: skip
    return pl.DataFrame(records, schema=FLAG_SCHEMA, orient="row")


def small_report(
    said: pl.DataFrame | None = None, found: pl.DataFrame | None = None, **metric_changes
) -> ContributionReport:
    """The report of the three teams, with check-ins `said` and flags `found`."""
    said = checkins([]) if said is None else said
    found = flags([]) if found is None else found
    metric = dataclasses.replace(Metric("gmv", "GMV", MetricKind.FLOW, "CNY"), **metric_changes)
    teams = pl.DataFrame(
        [(team, *values) for team, values in NUMBERS.items()],
        schema=["group", "target", "actual", "natural", "uplift_lower", "uplift_upper"],
        orient="row",
    ).with_columns(uplift=pl.col("actual") - pl.col("natural"))
    levels = {
        Level.TEAM: teams,
        Level.DEPARTMENT: _sum_by(
            teams.join(TEAMS, left_on="group", right_on="team"), "department"
        ),
        Level.COMPANY: _sum_by(teams.with_columns(company=pl.lit("company")), "company"),
    }
    review = rollup(levels, TEAMS, checkin_problems(said), StatusThresholds(),
                    higher_is_better=metric.higher_is_better)  # fmt: skip
    return ContributionReport(
        goal=Goal("g", "Grow GMV", "gmv", START, END, 900.0, Method.EVEN),
        metric=metric,
        as_of=AS_OF,
        company=_company(levels[Level.COMPANY].row(0, named=True)),
        landing=Landing(820.0, 780.0, 860.0, 0.2, 15.0, 835.0, 0.3),
        teams=_team_rows(review),
        departments=review.filter(level="department")
        .drop("department")
        .rename({"group": "department"}),
        months=pl.DataFrame(),
        initiatives=pl.DataFrame(),
        flags=found,
        review=review,
        running=_running(),
    )


def _sum_by(frame: pl.DataFrame, key: str) -> pl.DataFrame:
    columns = ["target", "actual", "natural", "uplift", "uplift_lower", "uplift_upper"]
    return (
        frame.group_by(key, maintain_order=True).agg(pl.col(columns).sum()).rename({key: "group"})
    )


def _team_rows(review: pl.DataFrame) -> pl.DataFrame:
    rows = review.filter(level="team").rename({"group": "team"})
    inside = (pl.col("uplift_lower") <= 0) & (pl.col("uplift_upper") >= 0)
    return rows.with_columns(
        distinguishable=~inside,
        share_of_uplift=pl.col("uplift") / pl.col("uplift").sum(),
        share_of_gap=pl.col("uplift") / (pl.col("target") - pl.col("natural")).sum(),
        indicator=pl.lit("gmv"),
        indicator_pace=pl.col("pace"),
    )


def _company(row: dict) -> Company:
    pace = row["actual"] / row["target"]
    return Company(
        target=900.0, natural=700.0, gap=200.0, actual_to_date=row["actual"],
        natural_to_date=row["natural"], target_to_date=row["target"],
        uplift_to_date=row["uplift"], uplift_lower=row["uplift_lower"],
        uplift_upper=row["uplift_upper"], distinguishable=False, pace=pace,
        status=StatusThresholds().status(pace),
    )  # fmt: skip


def _running() -> pl.DataFrame:
    """Straight lines: actual 2.1 a day up to the as-of day, natural 2.0, target 2.4."""
    days = pl.DataFrame({"day": pl.date_range(START, END, eager=True)})
    n = pl.int_range(1, pl.len() + 1).cast(pl.Float64)
    return days.select(
        "day",
        actual_to_date=pl.when(pl.col("day") <= AS_OF).then(n * 2.1),
        natural_to_date=n * 2.0,
        target_to_date=n * 2.4,
    ).with_columns(pace=pl.col("actual_to_date") / pl.col("target_to_date"))
