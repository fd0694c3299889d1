"""Cooperation checks: planted problems are found, noise and bias raise nothing."""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl
import pytest

from metrics.checks.flags import cooperation_flags, local_wins_global_losses
from metrics.contribution.report import build_report
from metrics.store.connection import open_store
from tests.metrics.contribution_factories import Company, Planted, bounds_from
from tests.metrics.contribution_store import DEMO_GOAL

START = dt.date(2025, 1, 1)
AS_OF = dt.date(2025, 8, 28)
TEAMS = ("promo", "merch", "users", "service", "unassigned")


def flags_of(company: Company) -> pl.DataFrame:
    daily, daily_samples, initiatives = company.frames()
    return cooperation_flags(daily, initiatives, START, AS_OF, bounds_from(daily_samples))


def found(flags: pl.DataFrame) -> set[tuple]:
    return set(flags.select("kind", "team", "other_team", "initiative").iter_rows())


def ordinary_campaigns(seed: int, count: int = 8) -> list[Planted]:
    """Campaigns with uplift only, kept clear of the planted ones' windows (March, July)."""
    rng = np.random.default_rng(seed)
    campaigns = []
    while len(campaigns) < count:
        start = START + dt.timedelta(int(rng.integers(0, 210)))
        if dt.date(2025, 2, 20) <= start <= dt.date(2025, 4, 10):
            continue
        if dt.date(2025, 6, 20) <= start <= dt.date(2025, 8, 10):
            continue
        team = TEAMS[int(rng.integers(0, 3))]
        days, lift = int(rng.integers(7, 15)), float(rng.uniform(0.1, 0.3))
        campaigns.append(Planted(f"c{len(campaigns)}", team, start, days, lift))
    return campaigns


PULL_FORWARD = Planted("spring_sale", "promo", dt.date(2025, 3, 10), 10, 0.2, payback=0.1)
CANNIBALISING = Planted(
    "member_days", "promo", dt.date(2025, 7, 10), 10, 0.2, victim="merch", harm=0.1
)


def random_company(seed: int, plants=(PULL_FORWARD, CANNIBALISING)) -> Company:
    rng = np.random.default_rng(1000 + seed)
    return Company(
        seed=seed,
        plants=(*ordinary_campaigns(seed), *plants),
        bias={team: float(rng.normal(0.0, 0.02)) for team in TEAMS},  # baseline errors
        noise=float(rng.uniform(0.02, 0.035)),
    )


@pytest.mark.parametrize("seed", range(8))
def test_planted_pull_forward_and_cannibalisation_are_found_and_nothing_else(seed):
    flags = flags_of(random_company(seed))
    assert found(flags) == {
        ("pull_forward", "promo", None, "spring_sale"),
        ("cannibalisation", "promo", "merch", "member_days"),
    }
    windows = {row["kind"]: (row["start_day"], row["end_day"]) for row in flags.to_dicts()}
    assert windows["pull_forward"] == (PULL_FORWARD.start, PULL_FORWARD.end + dt.timedelta(10))
    assert windows["cannibalisation"] == (CANNIBALISING.start, CANNIBALISING.end)
    amounts = dict(flags.select("kind", "amount").iter_rows())
    assert amounts["cannibalisation"] == pytest.approx(0.1 * 10 * 2000, rel=0.25)


@pytest.mark.parametrize("seed", range(10))
def test_a_company_that_only_wobbles_raises_no_flag(seed):
    assert flags_of(random_company(seed, plants=())).is_empty()


@pytest.mark.parametrize("bias", [-0.05, 0.05])
def test_a_baseline_biased_all_year_raises_no_flag(bias):
    company = Company(seed=3, plants=tuple(ordinary_campaigns(3)), bias={"merch": bias})
    assert flags_of(company).is_empty()


def test_harm_right_after_a_teams_own_campaign_is_not_called_its_pull_forward():
    own = Planted("arrivals", "merch", dt.date(2025, 5, 1), 10, 0.2)
    other = Planted("flash", "promo", dt.date(2025, 5, 15), 10, 0.2, victim="merch", harm=0.12)
    assert found(flags_of(Company(seed=5, plants=(own, other)))) == {
        ("cannibalisation", "promo", "merch", "flash"),
    }


def test_a_teams_own_payback_during_another_campaign_is_not_called_cannibalisation():
    own = Planted("clearance", "merch", dt.date(2025, 5, 1), 10, 0.2, payback=0.12)
    other = Planted("flash", "promo", dt.date(2025, 5, 17), 10, 0.2)
    assert found(flags_of(Company(seed=5, plants=(own, other)))) == {
        ("pull_forward", "merch", None, "clearance"),
    }


def test_of_two_overlapping_campaigns_only_the_one_whose_days_match_the_dip_is_blamed():
    harmful = Planted("member", "promo", dt.date(2025, 5, 10), 9, 0.2, victim="merch", harm=0.15)
    harmless = Planted("livestream", "users", dt.date(2025, 5, 13), 9, 0.25)
    assert found(flags_of(Company(seed=4, plants=(harmful, harmless)))) == {
        ("cannibalisation", "promo", "merch", "member"),
    }


def test_when_every_day_is_shared_the_dip_is_apportioned_to_the_campaign_that_fits_it():
    culprit = Planted("member", "promo", dt.date(2025, 5, 12), 9, 0.2, victim="merch", harm=0.15)
    before = Planted("livestream", "users", dt.date(2025, 5, 6), 9, 0.25)
    after = Planted("reminders", "service", dt.date(2025, 5, 17), 9, 0.25)
    flags = flags_of(Company(seed=8, plants=(before, culprit, after)))
    assert found(flags) == {("cannibalisation", "promo", "merch", "member")}
    assert flags["amount"].item() == pytest.approx(0.15 * 9 * 2000, rel=0.3)


def test_a_victims_earlier_campaign_without_payback_does_not_hide_the_harm():
    own = Planted("arrivals", "merch", dt.date(2025, 4, 18), 14, 0.2)  # "payback" to 15 May
    other = Planted("member", "promo", dt.date(2025, 5, 10), 9, 0.2, victim="merch", harm=0.15)
    flags = flags_of(Company(seed=6, plants=(own, other)))
    assert found(flags) == {("cannibalisation", "promo", "merch", "member")}
    assert flags["start_day"].item() == other.start  # the whole window, not its last days


@pytest.mark.parametrize(("payback", "harm"), [(0.12, 0.0), (0.0, 0.12)])
def test_a_dip_that_could_be_either_blames_no_one(payback, harm):
    """Own payback days exactly under another team's campaign: one series cannot tell."""
    own = Planted("clearance", "merch", dt.date(2025, 5, 1), 10, 0.2, payback=payback)
    other = Planted("flash", "promo", dt.date(2025, 5, 11), 10, 0.2, victim="merch", harm=harm)
    assert flags_of(Company(seed=5, plants=(own, other))).is_empty()


def test_a_campaign_that_gained_nothing_has_no_pull_forward_even_with_a_dip_after():
    flop = Planted("flop", "promo", dt.date(2025, 5, 1), 10, 0.0, payback=0.12)
    assert flags_of(Company(seed=2, plants=(flop,))).is_empty()


@pytest.mark.parametrize(
    ("lift", "payback", "flagged"),
    [
        (0.25, 0.05, False),  # gives back a fifth of its daily gain: a quiet week, not a payback
        (0.25, 0.10, True),  # gives back about 40%
        (0.20, 0.15, True),  # gives back most of it
    ],
)
def test_a_pull_forward_must_give_back_a_material_part_of_the_gain(lift, payback, flagged):
    sale = Planted("sale", "promo", dt.date(2025, 5, 1), 10, lift, payback=payback)
    flags = flags_of(Company(seed=4, plants=(sale,), noise=0.005))
    assert (("pull_forward", "promo", None, "sale") in found(flags)) is flagged


LOCAL = pl.DataFrame(
    {
        "team": ["winner", "helper", "laggard", "taker"],
        "metric": "gmv",
        "indicator": ["orders", "gmv", "orders", "gmv"],
        "indicator_pace": [1.1, 1.2, 0.7, 1.0],
        "contribution": [-5.0, 30.0, -8.0, 0.0],
        "start_day": START,
        "end_day": AS_OF,
    }
)


def test_local_win_global_loss_needs_both_the_local_win_and_no_global_gain():
    flags = local_wins_global_losses(LOCAL, on_track=1.0)
    assert flags["team"].to_list() == ["winner", "taker"]
    assert flags["amount"].to_list() == [-5.0, 0.0]
    assert "orders" in flags["detail"][0] and "110%" in flags["detail"][0]


# --- the demo company: the planted problems, and nothing else --------------------------------


@pytest.fixture(scope="module")
def demo(demo_goal_store):
    with open_store(demo_goal_store, read_only=True) as con:
        report = build_report(con, DEMO_GOAL)
        planted = planted_problems(con, report)
    return report, planted


def planted_problems(con, report) -> pl.DataFrame:
    """What the generator planted on the goal metric up to the as-of day, as flags would name it.

    Columns: kind, team (who ran the initiative), other_team, initiative, start_day, end_day.
    """
    return con.sql(
        "select e.kind, i.team, case when e.kind = 'cannibalisation' then e.team end"
        " as other_team, e.initiative, min(e.day) as start_day, max(e.day) as end_day"
        " from demo_truth_effects e join initiatives i using (initiative)"
        " where e.kind <> 'uplift' and e.metric = $m and e.day between $s and $e group by all",
        params={"m": report.metric.metric, "s": report.goal.start_day, "e": report.as_of},
    ).pl()


def test_the_demos_planted_problems_are_flagged_and_nothing_else(demo):
    report, planted = demo
    keys = ["kind", "team", "other_team", "initiative"]
    assert planted.height >= 2  # at least one pull-forward and one cannibalisation this year
    assert set(report.flags.select(keys).iter_rows()) == set(planted.select(keys).iter_rows())


def test_flag_windows_cover_the_planted_days(demo):
    report, planted = demo
    joined = report.flags.join(planted, on=["kind", "initiative"], suffix="_planted")
    for row in joined.iter_rows(named=True):
        assert row["start_day"] <= row["end_day_planted"]
        assert row["end_day"] >= row["start_day_planted"]
        assert row["amount"] > 0


def test_a_team_whose_series_only_wobbles_is_never_flagged(demo_goal_store, demo):
    report, _ = demo
    with open_store(demo_goal_store, read_only=True) as con:
        moved = {
            row[0]
            for row in con.execute(
                "select distinct team from demo_truth_effects"
                " where metric = $m and day between $s and $e",
                {"m": report.metric.metric, "s": report.goal.start_day, "e": report.as_of},
            ).fetchall()
        }
    wobbling = set(report.teams["team"]) - moved
    assert {"customer_success", "unassigned"} <= wobbling
    named = set(report.flags["team"]) | set(report.flags["other_team"].drop_nulls())
    assert named & wobbling == set()
