"""The demo company's invariants: seeded, complete, consistent, and carrying its planted truth."""

from __future__ import annotations

import dataclasses
import datetime as dt

import polars as pl
import pytest

from metrics.demo import DemoConfig, DemoConfigError, generate
from metrics.demo.config import STORED_METRICS
from metrics.store.calendar import default_market_calendar
from metrics.store.catalog import UNASSIGNED

END = dt.date(2025, 11, 30)
FRAMES = ("teams", "metrics", "observations", "initiatives", "truth_natural", "truth_effects",
          "truth_cases")  # fmt: skip
KEY = ["day", "metric", "team"]


@pytest.fixture(scope="module")
def config() -> DemoConfig:
    return DemoConfig(seed=7, teams=5, years=2, end=END)


@pytest.fixture(scope="module")
def company(config):
    return generate(config)


def company_series(frame: pl.DataFrame, metric: str) -> pl.DataFrame:
    """Company value per day of a stored metric (the sum over teams). Columns: day, value."""
    return frame.filter(metric=metric).group_by("day").agg(pl.col("value").sum()).sort("day")


def mean_between(series: pl.DataFrame, first: dt.date, last: dt.date) -> float:
    return series.filter(pl.col("day").is_between(first, last))["value"].mean()


@pytest.mark.parametrize("frame", FRAMES)
def test_the_same_config_builds_the_same_company(company, config, frame):
    assert getattr(generate(config), frame).equals(getattr(company, frame))


@pytest.mark.parametrize("frame", ["observations", "truth_natural", "initiatives", "truth_cases"])
def test_another_seed_builds_another_company(company, config, frame):
    other = generate(dataclasses.replace(config, seed=config.seed + 1))
    assert not getattr(other, frame).equals(getattr(company, frame))


def test_every_metric_kind_is_present_and_ratios_are_never_stored(company):
    kinds = dict(company.metrics.select("metric", "kind").iter_rows())
    assert set(kinds.values()) == {"flow", "level", "ratio"}
    ratios = company.metrics.filter(kind="ratio")
    assert set(ratios["numerator"]) | set(ratios["denominator"]) <= set(STORED_METRICS)
    assert set(company.observations["metric"]) == set(STORED_METRICS)
    assert not set(company.observations["metric"]) & set(ratios["metric"])


@pytest.mark.parametrize("frame", ["observations", "truth_natural"])
def test_every_team_has_every_stored_metric_every_day_once(company, config, frame):
    data = getattr(company, frame)
    teams = company.teams["team"].to_list()
    assert UNASSIGNED in teams
    assert data.height == len(STORED_METRICS) * len(teams) * config.days
    assert data.select(KEY).unique().height == data.height
    assert data.null_count().sum_horizontal().item() == 0
    assert data["day"].min() == config.start
    assert data["day"].max() == config.end
    assert (data["value"] > 0).all()


def test_actual_is_natural_plus_the_planted_effects_exactly(company):
    moved = company.truth_effects.group_by(KEY).agg(pl.col("effect").sum())
    rebuilt = (
        company.truth_natural.join(moved, on=KEY, how="left")
        .select(*KEY, expected=pl.col("value") + pl.col("effect").fill_null(0.0))
        .join(company.observations, on=KEY)
    )
    assert rebuilt.height == company.observations.height
    assert (rebuilt["expected"] == rebuilt["value"]).all()
    assert company.truth_effects.height > 0


def test_each_case_total_is_the_sum_of_its_daily_effects(company):
    totals = (
        company.truth_effects.group_by("initiative", "kind", "team", "metric")
        .agg(pl.col("effect").sum().alias("daily_sum"))
        .join(company.truth_cases, on=["initiative", "kind", "team", "metric"])
    )
    assert totals.height == company.truth_cases.height
    assert (totals["daily_sum"] == totals["effect"]).all()


def test_every_initiative_has_its_uplift_and_every_case_an_initiative(company):
    uplifts = company.truth_cases.filter(kind="uplift")
    assert sorted(uplifts["initiative"]) == sorted(company.initiatives["initiative"])
    assert (uplifts["team"] == uplifts["acting_team"]).all()
    assert (uplifts["relative_effect"].is_between(0.10, 0.30)).all()
    assert (uplifts["effect"] > 0).all()
    assert set(company.truth_cases["initiative"]) <= set(company.initiatives["initiative"])


@pytest.mark.parametrize("year", [2023, 2024, 2025])
def test_at_least_five_initiatives_a_year(company, year):
    started = company.initiatives.filter(pl.col("start_day").dt.year() == year)
    assert started.height >= 5
    assert started["team"].n_unique() >= 3


def planted(company, kind: str, year: int) -> dict:
    """The one planted case of `kind` that starts in `year`, with its initiative's window."""
    cases = company.truth_cases.filter(kind=kind).filter(pl.col("start_day").dt.year() == year)
    assert cases.height == 1, f"expected one {kind} in {year}, found {cases.height}"
    case = cases.row(0, named=True)
    window = company.initiatives.filter(initiative=case["initiative"]).row(0, named=True)
    return {**case, "window_start": window["start_day"], "window_end": window["end_day"]}


def actual_vs_natural(company, team: str, metric: str, first: dt.date, last: dt.date) -> float:
    """sum(actual) / sum(natural) - 1 of one series over first..last."""
    actual, natural = sums(company, team, metric, first, last)
    return actual / natural - 1


def sums(company, team: str, metric: str, first: dt.date, last: dt.date) -> tuple[float, float]:
    """(sum of actual, sum of natural) of one series over first..last."""
    days = pl.col("day").is_between(first, last)
    actual = company.observations.filter(days, team=team, metric=metric)["value"].sum()
    natural = company.truth_natural.filter(days, team=team, metric=metric)["value"].sum()
    return actual, natural


@pytest.mark.parametrize("year", [2025, 2024])
def test_a_pull_forward_promotion_pays_back_on_its_own_team_after_it(company, year):
    case = planted(company, "pull_forward", year)
    length = (case["window_end"] - case["window_start"]).days + 1
    assert case["team"] == case["acting_team"]
    assert case["start_day"] == case["window_end"] + dt.timedelta(days=1)
    assert (case["end_day"] - case["start_day"]).days + 1 == length
    assert -0.15 <= case["relative_effect"] <= -0.08
    team, metric = case["team"], case["metric"]
    window = sums(company, team, metric, case["window_start"], case["window_end"])
    payback = sums(company, team, metric, case["start_day"], case["end_day"])
    uplift, giveback = window[0] - window[1], payback[0] - payback[1]
    assert uplift / window[1] >= 0.10
    assert giveback / payback[1] <= -0.07
    assert uplift + giveback <= 0.7 * uplift  # the net is clearly less than the window's own


@pytest.mark.parametrize("year", [2025, 2024])
def test_a_cannibalising_campaign_holds_another_team_below_its_natural(company, year):
    case = planted(company, "cannibalisation", year)
    assert case["team"] != case["acting_team"]
    assert (case["start_day"], case["end_day"]) == (case["window_start"], case["window_end"])
    first, last, metric = case["start_day"], case["end_day"], case["metric"]
    assert actual_vs_natural(company, case["acting_team"], metric, first, last) >= 0.10
    assert actual_vs_natural(company, case["team"], metric, first, last) <= -0.07
    # The victim runs nothing of its own then, so its dip is the other team's doing alone.
    own = company.initiatives.filter(
        pl.col("team") == case["team"], pl.col("start_day") <= last, pl.col("end_day") >= first
    )
    assert own.is_empty()


def test_only_the_planted_cases_move_a_series_down(company):
    setbacks = company.truth_effects.filter(pl.col("effect") < 0)
    assert set(setbacks["kind"]) == {"pull_forward", "cannibalisation"}
    assert (company.truth_effects.filter(kind="uplift")["effect"] >= 0).all()


def test_some_teams_only_wobble_in_the_current_year(company, config):
    this_year = pl.col("day").dt.year() == config.current_year
    moved = set(company.truth_effects.filter(this_year)["team"])
    quiet = set(company.teams["team"]) - moved
    assert UNASSIGNED in quiet
    assert len(quiet) >= 2
    assert UNASSIGNED not in set(company.truth_effects["team"])


def test_no_campaign_touches_a_festival_window(company, config):
    """A model that masks initiative days must still see every festival, every year."""
    festivals = default_market_calendar(range(config.start.year, config.end.year + 1))
    overlaps = company.truth_cases.join(festivals, how="cross").filter(
        pl.col("start_day") <= pl.col("end_day_right"),
        pl.col("end_day") >= pl.col("start_day_right"),
    )
    assert overlaps.select("initiative", "event").rows() == []


@pytest.mark.parametrize("year", [2023, 2024, 2025])
def test_double_11_week_beats_the_october_average(company, year):
    gmv = company_series(company.truth_natural, "gmv")
    october = mean_between(gmv, dt.date(year, 10, 1), dt.date(year, 10, 31))
    assert mean_between(gmv, dt.date(year, 11, 5), dt.date(year, 11, 11)) > 1.3 * october


@pytest.mark.parametrize("year", [2023, 2024, 2025])
def test_spring_festival_week_falls_below_its_run_up(company, year):
    calendar = default_market_calendar([year])
    windows = {
        event: (s, e)
        for event, s, e in calendar.select("event", "start_day", "end_day").iter_rows()
    }
    for metric in ("gmv", "orders", "visitors"):
        series = company_series(company.truth_natural, metric)
        holiday = mean_between(series, *windows["spring_festival"])
        run_up = mean_between(series, *windows["spring_festival_runup"])
        assert holiday < 0.85 * run_up, metric


@pytest.mark.parametrize("metric", ["visitors", "dau"])
def test_weekends_bring_more_visitors_than_midweek(company, metric):
    weekday = pl.col("day").dt.weekday()
    series = company_series(company.truth_natural, metric)
    weekend = series.filter(weekday >= 6)["value"].mean()
    midweek = series.filter(weekday.is_between(2, 3))["value"].mean()
    assert weekend > midweek


@pytest.mark.parametrize(
    ("numerator", "denominator", "low", "high"),
    [
        ("gmv", "orders", 60.0, 600.0),  # order value, CNY
        ("orders", "visitors", 0.005, 0.25),  # conversion, up to a festival peak
        ("dau", "visitors", 0.2, 1.0),  # active users are some of the visitors
        ("new_users", "visitors", 0.0005, 0.08),
    ],
)
def test_the_metrics_of_a_segment_stay_consistent(company, numerator, denominator, low, high):
    wide = company.observations.pivot(on="metric", index=["day", "team"], values="value")
    ratio = wide[numerator] / wide[denominator]
    assert ratio.min() > low
    assert ratio.max() < high


def test_growth_differs_by_team_and_stays_realistic(company, config):
    def yearly(year: int) -> pl.DataFrame:
        return (
            company.truth_natural.filter(metric="visitors")
            .filter(pl.col("day").dt.year() == year)
            .group_by("team")
            .agg(pl.col("value").sum())
        )

    first, second = config.start.year, config.start.year + 1
    growth = (
        yearly(first)
        .join(yearly(second), on="team")
        .select("team", rate=pl.col("value_right") / pl.col("value") - 1)
    )
    assert growth["rate"].min() > -0.05
    assert growth["rate"].max() < 0.30
    assert growth["rate"].max() - growth["rate"].min() > 0.03


@pytest.mark.parametrize("teams", [2, 3, 7, 12])
def test_other_team_counts_keep_the_plants_and_spread_over_departments(teams):
    data = generate(DemoConfig(seed=3, teams=teams, years=1, end=END))
    assert data.teams.height == teams + 1
    assert data.teams["team"].n_unique() == teams + 1
    departments = set(data.teams["department"]) - {UNASSIGNED}
    assert len(departments) >= (1 if teams == 2 else 2)
    assert set(data.observations["team"]) == set(data.teams["team"])
    kinds = data.truth_cases.filter(pl.col("start_day").dt.year() == END.year)["kind"]
    assert {"uplift", "pull_forward", "cannibalisation"} <= set(kinds)


@pytest.mark.parametrize(
    ("change", "mentions"),
    [
        ({"teams": 1}, "1 teams"),
        ({"teams": 100_000}, "100000 teams"),
        ({"years": 0}, "0 years"),
        ({"years": 50}, "50 years"),
        ({"end": dt.date(2011, 6, 30), "years": 3}, "last day 2011-06-30"),
        ({"end": dt.date(2041, 1, 31)}, "last day 2041-01-31"),
    ],
)
def test_impossible_sizes_and_dates_are_refused_with_the_fix(change, mentions):
    with pytest.raises(DemoConfigError, match="Fix:") as refused:
        DemoConfig(**change)
    assert mentions in str(refused.value)


def test_the_default_end_is_yesterday_and_the_history_starts_on_1_january():
    config = DemoConfig()
    assert config.end == dt.date.today() - dt.timedelta(days=1)
    assert config.start == dt.date(config.end.year - 3, 1, 1)
