"""Pacing and landing: target to date, status, projected landing and its chance."""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl
import pytest

from metrics.plan.goals import Status, StatusThresholds
from metrics.plan.pacing import (
    LandingInputs,
    cumulative,
    daily_targets,
    landing,
    pace_of,
    run_rate_per_day,
    shares_by_day,
    status_of,
    team_target_mass,
)
from metrics.store.catalog import MetricKind

MARCH = dt.date(2026, 3, 1)


def march_days(num_natural, den_natural=None) -> pl.DataFrame:
    n = len(num_natural)
    return pl.DataFrame(
        {
            "day": pl.date_range(MARCH, MARCH + dt.timedelta(n - 1), eager=True),
            "num_natural": np.asarray(num_natural, float),
            "den_natural": np.asarray(den_natural if den_natural is not None else [1.0] * n, float),
        }
    )


def months(target: float) -> pl.DataFrame:
    return pl.DataFrame({"month": [MARCH], "target": [target]})


def test_a_flow_month_is_owed_in_the_shape_of_its_natural_days():
    natural = [100.0] * 30 + [200.0]  # the last day is a festival
    daily = daily_targets(MetricKind.FLOW, months(3200.0), march_days(natural))
    assert daily["target"].sum() == pytest.approx(3200.0)
    assert daily["target"][-1] == pytest.approx(2 * daily["target"][0])


def test_a_flow_month_without_natural_is_owed_evenly():
    daily = daily_targets(MetricKind.FLOW, months(310.0), march_days([0.0] * 31))
    assert daily["target"].to_list() == pytest.approx([10.0] * 31)


def frame(kind, actual_num, natural_num, target, actual_den=None, natural_den=None):
    base = march_days(natural_num, natural_den).with_columns(
        num_actual=pl.Series(actual_num, dtype=pl.Float64),
        den_actual=pl.Series(actual_den or [1.0] * len(actual_num), dtype=pl.Float64),
    )
    return base.join(daily_targets(kind, months(target), base), on="day")


@pytest.mark.parametrize(
    ("kind", "actual", "natural", "target", "dens", "expected_actual", "expected_target"),
    [
        (MetricKind.FLOW, [10, 20, None], [10, 10, 10], 60.0, None, [10, 30, None], [20, 40, 60]),
        (MetricKind.LEVEL, [10, 20, None], [10, 10, 10], 15.0, None, [10, 15, None], [15, 15, 15]),
        # ratio: 1/10, then (1 + 3) / (10 + 30)
        (
            MetricKind.RATIO,
            [1, 3, None],
            [1, 3, 2],
            0.2,
            ([10, 30, 10], [10, 30, 10]),
            [0.1, 0.1, None],
            [0.2, 0.2, 0.2],
        ),
    ],
    ids=["flow sums", "level averages", "ratio of sums"],
)
def test_running_totals_per_kind(
    kind, actual, natural, target, dens, expected_actual, expected_target
):
    actual_den, natural_den = dens or (None, None)
    daily = frame(kind, actual, natural, target, actual_den, natural_den)
    running = cumulative(kind, daily, higher_is_better=True)
    assert running["actual_to_date"].to_list() == pytest.approx(expected_actual, nan_ok=True)
    assert running["target_to_date"].to_list() == pytest.approx(expected_target)
    assert running["pace"][-1] is None  # no actual yet on the last day


@pytest.mark.parametrize(
    ("actual", "target", "higher_is_better", "pace"),
    [
        (90.0, 100.0, True, 0.9),
        (90.0, 100.0, False, 100 / 90),
        (10.0, 0.0, True, None),
        (None, 100.0, True, None),
    ],
)
def test_pace_is_inverted_when_lower_is_better(actual, target, higher_is_better, pace):
    assert pace_of(actual, target, higher_is_better) == (pytest.approx(pace) if pace else None)


@pytest.mark.parametrize(
    ("pace", "thresholds", "status"),
    [
        (1.0, StatusThresholds(), Status.ON_TRACK),
        (0.95, StatusThresholds(), Status.AT_RISK),
        (0.85, StatusThresholds(), Status.OFF_TRACK),
        (0.85, StatusThresholds(on_track=0.9, at_risk=0.8), Status.AT_RISK),
        (None, StatusThresholds(), None),
    ],
)
def test_status_follows_configurable_thresholds(pace, thresholds, status):
    assert status_of(pace, thresholds) == status


def inputs(kind=MetricKind.FLOW, remaining=10, samples=(40.0, 45.0, 50.0, 55.0, 60.0), **kw):
    values = {
        "kind": kind,
        "target": 150.0,
        "higher_is_better": True,
        "total_days": 20,
        "remaining_days": remaining,
        "to_date": (100.0, 0.0),
        "rest": (50.0, 0.0),
        "rest_samples": pl.DataFrame(
            {"sample": range(len(samples)), "num": samples, "den": [0.0] * len(samples)}
        ),
        "run_rate_per_day": (0.0, 0.0),
    }
    return LandingInputs(**{**values, **kw})


def test_landing_is_actual_plus_natural_with_the_chance_from_sampled_paths():
    result = landing(inputs())
    assert result.value == 150.0
    assert result.probability == pytest.approx(3 / 5)  # paths landing at 150, 155, 160
    assert (result.lower, result.upper) == pytest.approx((142.0, 158.0))


def test_the_uplift_run_rate_is_shown_beside_the_landing_not_mixed_in():
    result = landing(inputs(run_rate_per_day=(2.0, 0.0)))
    assert result.value == 150.0 and result.probability == pytest.approx(3 / 5)
    assert result.run_rate == pytest.approx(20.0)
    assert result.value_with_run_rate == pytest.approx(170.0)
    assert result.probability_with_run_rate == 1.0


@pytest.mark.parametrize(("to_date", "probability"), [((150.0, 0.0), 1.0), ((149.0, 0.0), 0.0)])
def test_a_finished_period_lands_where_it_is(to_date, probability):
    result = landing(inputs(remaining=0, to_date=to_date, rest=(0.0, 0.0)))
    assert result.value == to_date[0] and result.probability == probability


@pytest.mark.parametrize(
    ("kind", "to_date", "rest", "samples", "value"),
    [
        (MetricKind.LEVEL, (1000.0, 0.0), (1000.0, 0.0), (1000.0,), 100.0),  # 2000 / 20 days
        (MetricKind.RATIO, (10.0, 100.0), (5.0, 100.0), (5.0,), 15 / 200),
    ],
)
def test_landing_is_in_the_targets_own_terms(kind, to_date, rest, samples, value):
    rest_samples = pl.DataFrame({"sample": [0], "num": list(samples), "den": [rest[1]]})
    result = landing(inputs(kind, to_date=to_date, rest=rest, rest_samples=rest_samples))
    assert result.value == pytest.approx(value)
    assert result.lower == pytest.approx(value)


def test_no_sampled_paths_means_no_chance_rather_than_a_made_up_one():
    result = landing(inputs(samples=()))
    assert result.probability is None and result.lower is None and result.value == 150.0


def test_run_rate_uses_the_last_four_weeks_with_actuals():
    n = 60
    daily = pl.DataFrame(
        {
            "day": pl.date_range(MARCH, MARCH + dt.timedelta(n - 1), eager=True),
            "num_actual": [100.0] * 32 + [110.0] * 28,
            "num_natural": [100.0] * n,
            "den_actual": [1.0] * n,
            "den_natural": [1.0] * n,
        }
    )
    later = pl.DataFrame(
        {
            "day": [MARCH + dt.timedelta(n)],
            "num_natural": [100.0],
            "num_actual": [None],
            "den_actual": [1.0],
            "den_natural": [1.0],
        }
    )
    rate = run_rate_per_day(pl.concat([daily, later], how="diagonal_relaxed"))
    assert rate == pytest.approx((10.0, 0.0))


def test_team_targets_add_the_share_of_each_phases_gap_to_the_natural():
    days = pl.date_range(MARCH, MARCH + dt.timedelta(59), eager=True)  # March and April
    phases = pl.DataFrame(
        {
            "phase": ["p1", "p2"],
            "start_month": [MARCH, dt.date(2026, 4, 1)],
            "end_month": [MARCH, dt.date(2026, 4, 1)],
        }
    )
    assignments = pl.DataFrame(
        {"phase": ["p1", "p1", "p2"], "team": ["a", "b", "a"], "share": [0.75, 0.25, 1.0]}
    )
    shares = shares_by_day(phases, assignments, days)
    team_natural = pl.DataFrame(
        {
            "day": [days[0], days[0], days[-1], days[-1]],
            "team": ["a", "b", "a", "b"],
            "num_natural": [60.0, 40.0, 60.0, 40.0],
            "den_natural": [1.0] * 4,
        }
    )
    company = pl.DataFrame(
        {
            "day": [days[0], days[-1]],
            "target": [120.0, 110.0],
            "weight": [1.0, 1.0],
            "num_natural": [100.0, 100.0],
        }
    )
    owed = team_target_mass(team_natural, company, shares).sort("day", "team")
    assert owed["target_num"].to_list() == pytest.approx([75.0, 45.0, 70.0, 40.0])
    first_day = owed.filter(day=days[0])["target_num"].sum()
    assert first_day == pytest.approx(120.0)  # shares of 100% close the company's gap
