"""The windows the cooperation checks look at, and how much a window's sum wobbles by itself.

A *probe* is one series (metric, team) summed over a set of days. Each initiative gives:

- `window`: its own team's series over its active days (is the team above its baseline?);
- `payback`: its own team's series over as many days right after the window, leaving out days
  when another initiative runs (its uplift or its harm would be mistaken for the payback);
- `victim` (planned once the paybacks are measured): every other team's series over the
  initiative's active days, leaving out the other team's payback days when that team really
  gave back after its own campaign (its own pull-forward is not a cannibalisation), and the days
  a third team's initiative also runs, so that of two overlapping campaigns only the one whose
  days line up with the dip is blamed. When no such day is left, the shared days are used.

Days are clipped to the measured window [start, as_of]. Probe days are returned as contiguous
runs so the baseline's sampled paths can be summed over exactly those days.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import polars as pl

PROBE_SCHEMA = {
    "probe": pl.Int64,
    "role": pl.String,
    "initiative": pl.String,
    "team": pl.String,
    "metric": pl.String,
    "series_team": pl.String,
}
Days = frozenset[dt.date]


@dataclass(frozen=True)
class Schedule:
    """Each initiative's active and payback days inside [start, as_of], its team, and which
    initiatives run on each day."""

    team: dict[str, str]
    active: dict[str, Days]
    payback: dict[str, Days]
    on_day: dict[dt.date, frozenset[str]]

    @classmethod
    def of(cls, initiatives: pl.DataFrame, start: dt.date, as_of: dt.date) -> Schedule:
        team, active, payback = {}, {}, {}
        on_day: dict[dt.date, set[str]] = {}
        for row in initiatives.sort("start_day", "initiative").iter_rows(named=True):
            name, first, last = row["initiative"], row["start_day"], row["end_day"]
            length = (last - first).days + 1
            team[name] = row["team"]
            active[name] = _clipped(first, last, start, as_of)
            after = last + dt.timedelta(days=length)
            payback[name] = _clipped(last + dt.timedelta(days=1), after, start, as_of)
            for day in active[name]:
                on_day.setdefault(day, set()).add(name)
        frozen = {day: frozenset(names) for day, names in on_day.items()}
        return cls(team, active, payback, frozen)

    def running(self) -> list[str]:
        return [name for name, days in self.active.items() if days]

    def busy(self, days: Days, *, besides: set[str] = frozenset(), teams_besides=()) -> Days:
        """The `days` on which an initiative runs that is not in `besides` and whose team is
        not in `teams_besides`."""
        return frozenset(
            day
            for day in days
            if any(
                name not in besides and self.team[name] not in teams_besides
                for name in self.on_day.get(day, ())
            )
        )


def _clipped(first: dt.date, last: dt.date, start: dt.date, as_of: dt.date) -> Days:
    first, last = max(first, start), min(last, as_of)
    return frozenset(first + dt.timedelta(days=k) for k in range((last - first).days + 1))


class ProbeList:
    """Probes as they are planned; `frames()` gives (probes, probe_days)."""

    def __init__(self, first: int = 0) -> None:
        self.first = first
        self.rows: list[tuple] = []
        self.days: list[tuple[int, dt.date]] = []

    def add(self, role: str, initiative: str, team: str, metric: str, series_team: str, days):
        if not days:
            return
        probe = self.first + len(self.rows)
        self.rows.append((probe, role, initiative, team, metric, series_team))
        self.days += [(probe, day) for day in sorted(days)]

    def frames(self) -> tuple[pl.DataFrame, pl.DataFrame]:
        probes = pl.DataFrame(self.rows, schema=PROBE_SCHEMA, orient="row")
        days = pl.DataFrame(self.days, schema={"probe": pl.Int64, "day": pl.Date}, orient="row")
        return probes, days


def own_probes(schedule: Schedule, series: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """`window` and `payback` probes of every initiative that ran, on its team's series.

    `series`: metric, team. Returns (probes: PROBE_SCHEMA columns, probe_days: probe, day).
    """
    planned = ProbeList()
    for name in schedule.running():
        team = schedule.team[name]
        payback = schedule.payback[name]
        quiet_after = payback - schedule.busy(payback, besides={name})
        for metric in series.filter(team=team)["metric"].sort():
            planned.add("window", name, team, metric, team, schedule.active[name])
            planned.add("payback", name, team, metric, team, quiet_after)
    return planned.frames()


def victim_probes(
    schedule: Schedule, series: pl.DataFrame, excused: dict[tuple[str, str], Days], first: int
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """`victim` probes: every other team's series while an initiative runs.

    `excused`: (metric, team) -> payback days that team really gave back on (left out).
    Probe numbers start at `first`. Returns (probes, probe_days) as `own_probes`.
    """
    planned = ProbeList(first)
    for name in schedule.running():
        actor, days = schedule.team[name], schedule.active[name]
        for metric, victim in series.sort("metric", "team").iter_rows():
            if victim == actor:
                continue
            shared = days - excused.get((metric, victim), frozenset())
            third = schedule.busy(shared, besides={name}, teams_besides=(actor, victim))
            planned.add("victim", name, actor, metric, victim, (shared - third) or shared)
    return planned.frames()


def excused_paybacks(
    schedule: Schedule, results: pl.DataFrame, series: pl.DataFrame
) -> dict[tuple[str, str], Days]:
    """(metric, team) -> the payback days of the team's initiatives whose payback was clearly
    below the baseline, or could not be measured because other initiatives covered it all."""
    measured = {
        (row["metric"], row["initiative"]): row["below"]
        for row in results.filter(role="payback").iter_rows(named=True)
    }
    excused: dict[tuple[str, str], Days] = {}
    for metric, team in series.iter_rows():
        for name, owner in schedule.team.items():
            gave_back = measured.get((metric, name), True)  # unmeasured: cannot be ruled out
            if owner == team and schedule.payback[name] and gave_back:
                key = (metric, team)
                excused[key] = excused.get(key, frozenset()) | schedule.payback[name]
    return excused


def runs(probe_days: pl.DataFrame) -> pl.DataFrame:
    """Contiguous runs of each probe's days. Columns: probe, start_day, end_day."""
    step = (pl.col("day").diff().over("probe").dt.total_days() != 1).fill_null(True)
    return (
        probe_days.sort("probe", "day")
        .with_columns(run=step.cum_sum())
        .group_by("probe", "run")
        .agg(start_day=pl.col("day").min(), end_day=pl.col("day").max())
        .select("probe", "start_day", "end_day")
        .sort("probe", "start_day")
    )
