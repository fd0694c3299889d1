"""The demo company's plan: a current-year GMV goal, its tactics, four phases, every team's share,
and a few check-ins that raise problems, so every page has something to show on first start.

    plan = demo_plan(data, with_baseline=True)     # pure
    write_plan(con, plan, decompose=False)         # goal, phases, assignments, check-ins

With a baseline the goal uses method tactic and waits (pending) for its natural baseline; the
caller then fits and splits it (`workflows.goals.fit_and_split`). Without one it uses method even
and is decomposed at once.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import duckdb
import polars as pl

from metrics.demo.company import DemoData
from metrics.demo.config import roster
from metrics.plan.checkins import add_checkin
from metrics.plan.decomposition import Method
from metrics.plan.edits import set_goal
from metrics.plan.goals import Goal
from metrics.plan.phases import save_assignments, save_phases
from metrics.store.calendar import RUNUP_DAYS, spring_festival

DEMO_BY = "demo"
# The target asks operations for 2% above natural GMV: the planted campaigns add about 1.5%, so
# the demo opens on a company that is at risk, with some teams ahead and some behind.
UPLIFT = 0.02

# Each archetype's indicator and its weight in each phase's gap (normalised over the teams).
INDICATORS = {
    "promotions": "gmv",
    "merchandising": "orders",
    "user_ops": "dau",
    "content_ops": "visitors",
    "customer_success": "orders",
}
PHASES = (  # phase, name, first month, last month, main task
    ("Q1", "Spring Festival", 1, 3, "Win New Year goods shoppers and keep them after the holiday"),
    ("Q2", "618", 4, 6, "Make 618 the biggest campaign of the half without borrowing from July"),
    ("Q3", "Summer", 7, 9, "Grow active users and content engagement through the quiet season"),
    ("Q4", "Double 11", 10, 12, "Turn Double 11 traffic into first orders and repeat buyers"),
)
# Weights of promotions, merchandising, user_ops, content_ops, customer_success per phase.
PHASE_WEIGHTS = {
    "Q1": (3.0, 2.5, 2.0, 1.5, 1.0),
    "Q2": (4.0, 2.5, 1.5, 1.0, 1.0),
    "Q3": (1.5, 2.0, 2.5, 3.0, 1.0),
    "Q4": (4.0, 2.0, 2.0, 1.0, 1.0),
}
CHECKINS = {  # archetype: (author, status, notes, problems, next actions)
    "promotions": ("Lin Wei", "at_risk", "Spring sale beat its own target.",
                   "Orders fell below normal for two weeks after the Spring sale: demand was "
                   "pulled forward, not added.",
                   "Shorter coupon window for 618; judge it on net uplift over the payback weeks."),
    "merchandising": ("Zhao Min", "off_track", "Category sales were soft in spring.",
                      "Our sales sat below normal while Promotions' campaign ran: shoppers waited "
                      "for coupons instead of buying at list price.",
                      "Align category weeks with the promotions calendar in the review."),
    "user_ops": ("Chen Jie", "on_track", "Welcome gift brought in new users above plan.", "",
                 "Extend the invite-a-friend drive into Q4."),
    "content_ops": ("Wang Fang", "at_risk", "Summer video series lifted visitors.",
                    "Few of the extra visitors converted; our indicator rose, the goal barely did.",
                    "Tie the next series to 618 and Double 11 products."),
    "customer_success": ("Liu Yang", "on_track", "Repeat-buyer programme steady.", "",
                         "Prepare Double 11 after-sales staffing."),
}  # fmt: skip


@dataclass(frozen=True)
class DemoPlan:
    goal: Goal
    tactics: pl.DataFrame  # month, tactic, weight
    phases: pl.DataFrame  # phase, name, start_month, end_month, main_task
    assignments: pl.DataFrame  # phase, team, share, indicator
    checkins: tuple[tuple[str, str, str, str, str, str], ...]  # team, author, status, notes, ...


def demo_plan(data: DemoData, *, with_baseline: bool) -> DemoPlan:
    """The plan for `data`'s current year: goal target = estimated natural GMV * (1 + UPLIFT)."""
    year = data.config.current_year
    target = round(natural_gmv_estimate(data) * (1 + UPLIFT), -6)  # agreed in round millions
    goal = Goal(
        goal=f"gmv_{year}",
        name=f"GMV {year}",
        metric="gmv",
        start_day=dt.date(year, 1, 1),
        end_day=dt.date(year, 12, 31),
        target=target,
        method=Method.TACTIC if with_baseline else Method.EVEN,
    )
    teams = [(team, archetype.key) for team, _, archetype in roster(data.config)[:-1]]
    return DemoPlan(goal, demo_tactics(year), _phases(year), _assignments(teams), _checkins(teams))


def natural_gmv_estimate(data: DemoData) -> float:
    """The planted natural GMV of the current year: the data to date, and the rest of the year
    as last year's same days grown by this year's growth to date."""
    year, end = data.config.current_year, data.config.end
    gmv = data.truth_natural.filter(pl.col("metric") == "gmv")
    daily = gmv.group_by("day").agg(pl.col("value").sum())
    to_date = daily.filter(pl.col("day").is_between(dt.date(year, 1, 1), end))["value"].sum()
    last = daily.with_columns(pl.col("day").dt.offset_by("1y"))
    same_days = last.filter(pl.col("day").is_between(dt.date(year, 1, 1), end))["value"].sum()
    rest = last.filter(pl.col("day").is_between(end + dt.timedelta(days=1), dt.date(year, 12, 31)))
    growth = to_date / same_days if same_days else 1.0
    return float(to_date + rest["value"].sum() * growth)


def demo_tactics(year: int) -> pl.DataFrame:
    """Weights that put the uplift where the festivals are. Columns: month, tactic, weight."""
    festival = spring_festival(year)
    runup = pl.date_range(
        festival - dt.timedelta(days=RUNUP_DAYS[0]), festival - dt.timedelta(days=RUNUP_DAYS[1]),
        eager=True,
    )  # fmt: skip
    rows = [
        (dt.date(year, month.month, 1), "New Year goods run-up", 4.0 * days / len(runup))
        for month, days in runup.dt.truncate("1mo").value_counts(sort=True).iter_rows()
    ]
    rows += [
        (dt.date(year, month, 1), tactic, weight)
        for month, tactic, weight in (
            (3, "Members' day", 1.0),
            (5, "618 warm-up", 1.0),
            (6, "618 shopping festival", 5.0),
            (8, "Back to school", 1.0),
            (10, "Double 11 pre-sale", 2.0),
            (11, "Double 11 (Singles' Day)", 6.0),
            (12, "Double 12", 1.5),
        )
    ]
    schema = {"month": pl.Date, "tactic": pl.String, "weight": pl.Float64}
    return pl.DataFrame(rows, schema=schema, orient="row").sort("month", "tactic")


def _phases(year: int) -> pl.DataFrame:
    rows = [
        (phase, name, dt.date(year, first, 1), dt.date(year, last, 1), task)
        for phase, name, first, last, task in PHASES
    ]
    schema = ["phase", "name", "start_month", "end_month", "main_task"]
    return pl.DataFrame(rows, schema=schema, orient="row")


def _assignments(teams: list[tuple[str, str]]) -> pl.DataFrame:
    """Every team in every phase, shares in proportion to its archetype's weight."""
    rows = []
    for phase, row in PHASE_WEIGHTS.items():
        weights = dict(zip(INDICATORS, row, strict=True))
        total = sum(weights[archetype] for _, archetype in teams)
        for team, archetype in teams:
            rows.append((phase, team, weights[archetype] / total, INDICATORS[archetype]))
    return pl.DataFrame(rows, schema=["phase", "team", "share", "indicator"], orient="row")


def _checkins(teams: list[tuple[str, str]]) -> tuple[tuple[str, str, str, str, str, str], ...]:
    """One check-in per archetype, from its first team (the named function, not its copies)."""
    first: dict[str, str] = {}
    for team, archetype in teams:
        first.setdefault(archetype, team)
    return tuple((first[key], *CHECKINS[key]) for key in CHECKINS if key in first)


def write_plan(con: duckdb.DuckDBPyConnection, plan: DemoPlan, *, decompose: bool) -> None:
    """Save the goal (decomposed now, or pending its baseline), phases, assignments, check-ins."""
    tactics = plan.tactics if plan.goal.method is Method.TACTIC else None
    set_goal(con, plan.goal, DEMO_BY, tactics=tactics, decompose=decompose)
    save_phases(con, plan.goal.goal, plan.phases, DEMO_BY)
    save_assignments(con, plan.goal.goal, plan.assignments, DEMO_BY)
    for team, author, status, notes, problems, next_actions in plan.checkins:
        add_checkin(con, team, plan.goal.goal, author, status, notes, problems, next_actions)
