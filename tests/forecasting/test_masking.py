"""Which training days an initiative takes out of a series."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from forecasting.masking import MaskPolicy, MaskScope, masked_days

D = dt.date
INITIATIVES = pl.DataFrame(
    {
        "team": ["promo", "promo", "content"],
        "metric": ["gmv", "gmv", "visitors"],
        "start_day": [D(2024, 3, 1), D(2024, 3, 3), D(2024, 5, 1)],
        "end_day": [D(2024, 3, 4), D(2024, 3, 5), D(2024, 5, 2)],
    }
)


@pytest.mark.parametrize(
    ("metric", "team", "policy", "expected"),
    [
        ("gmv", "promo", MaskPolicy(MaskScope.TARGET), (D(2024, 3, 1), 5)),  # overlaps merge
        ("orders", "promo", MaskPolicy(MaskScope.TARGET), None),  # not its metric
        ("orders", "promo", MaskPolicy(MaskScope.TEAM), (D(2024, 3, 1), 5)),  # its team
        ("gmv", "promo", MaskPolicy(MaskScope.TEAM, payback_days=3), (D(2024, 3, 1), 8)),
        ("gmv", "merch", MaskPolicy(MaskScope.TEAM, payback_days=3), None),  # other team
        ("visitors", "content", MaskPolicy(MaskScope.TARGET, payback_days=1), (D(2024, 5, 1), 3)),
    ],
)
def test_masked_days_follow_the_policy(metric, team, policy, expected):
    days = masked_days(INITIATIVES, metric, team, policy)
    if expected is None:
        assert days.is_empty()
        return
    first, count = expected
    assert days.to_list() == [first + dt.timedelta(days=i) for i in range(count)]
