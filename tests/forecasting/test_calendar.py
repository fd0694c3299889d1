"""The market calendar as model inputs: festival shapes and public-holiday breaks."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from forecasting.calendar import calendar_features, check_country, public_holidays
from metrics.store.calendar import default_market_calendar
from metrics.store.errors import DataopsError

D = dt.date


def features(country, first, last, years=range(2022, 2026)):
    return calendar_features(default_market_calendar(years), country, first, last)


@pytest.mark.parametrize(
    ("day", "column", "value"),
    [
        (D(2024, 11, 1), "festival:double_11:level", 1.0),
        (D(2024, 11, 1), "festival:double_11:p1", 0.0),  # first day of the window
        (D(2024, 11, 6), "festival:double_11:p1", 0.5),  # halfway through Nov 1-11
        (D(2024, 11, 11), "festival:double_11:final", 1.0),
        (D(2024, 11, 10), "festival:double_11:final", 0.0),
        (D(2024, 11, 12), "festival:double_11:level", 0.0),
        (D(2024, 6, 18), "festival:618:p3", 1.0),
    ],
)
def test_festival_windows_are_a_shape_over_their_position(day, column, value):
    frame = features(None, D(2024, 1, 1), D(2024, 12, 31))
    assert frame.filter(pl.col("day") == day)[column].item() == pytest.approx(value)


def test_spring_festival_features_follow_the_lunar_date():
    frame = features(None, D(2023, 1, 1), D(2024, 12, 31))
    finals = frame.filter(pl.col("festival:spring_festival:final") == 1)["day"].to_list()
    # the holiday window runs from the eve to six days after new year: 2023-01-22, 2024-02-10
    assert finals == [D(2023, 1, 28), D(2024, 2, 16)]


@pytest.mark.parametrize(
    ("country", "day", "holiday"),
    [
        ("CN", D(2023, 10, 4), "National Day"),  # "(observed)" joins its holiday
        ("CN", D(2023, 10, 6), "National Day"),  # a substituted day off joins the break
        ("US", D(2023, 11, 23), "Thanksgiving Day"),
    ],
)
def test_public_holiday_names_are_shared_across_a_break(country, day, holiday):
    table = public_holidays(country, 2023, 2023)
    assert table.filter(pl.col("day") == day)["holiday"].item() == holiday


@pytest.mark.parametrize(
    ("day", "part"),
    [(D(2023, 11, 22), "before"), (D(2023, 11, 23), "days"), (D(2023, 11, 24), "after")],
)
def test_the_days_around_a_public_holiday_get_their_own_feature(day, part):
    frame = features("US", D(2023, 11, 1), D(2023, 11, 30))
    assert frame.filter(pl.col("day") == day)[f"holiday:Thanksgiving Day:{part}"].item() == 1.0


def test_one_row_per_day_and_no_country_means_no_public_holidays():
    frame = features(None, D(2024, 1, 1), D(2024, 3, 31))
    assert frame.height == 91 and frame["day"].is_unique().all()
    assert not any(column.startswith("holiday:") for column in frame.columns)


@pytest.mark.parametrize("code", ["XX", "China", ""])
def test_an_unknown_country_is_refused_with_the_fix(code):
    with pytest.raises(DataopsError, match="ISO 3166 code"):
        check_country(code)
