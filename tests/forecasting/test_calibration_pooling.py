"""The level and slope of the intervals are fitted from sums of the pooled series' errors: the
same answer as scipy's non-negative least squares on the rows themselves, for a pool and for a
pool with one series left out."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.optimize import nnls

from forecasting.calibration import _Moments, _nnls2


def rows_fit(y: np.ndarray, t: np.ndarray) -> tuple[float, float]:
    solution, _ = nnls(np.column_stack([np.ones_like(t), t]), y)
    return float(solution[0]), float(solution[1])


def moments(y: np.ndarray, t: np.ndarray) -> _Moments:
    return _Moments(len(y), float(t.sum()), float((t * t).sum()), float(y.sum()), float(t @ y))


CASES = {
    "both positive": (0.02, 0.01),
    "level only": (0.03, -0.02),
    "slope only": (-0.01, 0.05),
    "neither": (-0.02, -0.02),
}


@pytest.mark.parametrize("seed", range(5))
@pytest.mark.parametrize(("level", "slope"), CASES.values(), ids=CASES.keys())
def test_sums_give_what_nnls_gives_on_the_rows(level, slope, seed):
    rng = np.random.default_rng(seed)
    t = rng.uniform(0, 1.5, 200) ** 2
    y = level + slope * t + rng.normal(0, 0.005, 200)
    np.testing.assert_allclose(_nnls2(moments(y, t)), rows_fit(y, t), atol=1e-10)


def test_one_series_left_out_by_subtracting_its_sums():
    rng = np.random.default_rng(3)
    parts = [(rng.normal(0.01, 0.01, 30), rng.uniform(0, 2, 30)) for _ in range(6)]
    pool = sum((moments(y, t) for y, t in parts), _Moments())
    for left_out in range(len(parts)):
        rest = [p for i, p in enumerate(parts) if i != left_out]
        y, t = (np.concatenate(column) for column in zip(*rest, strict=True))
        held = pool - moments(*parts[left_out])
        np.testing.assert_allclose(_nnls2(held), rows_fit(y, t), atol=1e-10)


@pytest.mark.parametrize("t", [np.full(10, 0.25), np.zeros(10)], ids=["one horizon", "none"])
def test_a_pool_that_cannot_tell_level_from_slope_explains_its_errors_with_one(t):
    y = np.full(10, 0.0004)
    a, b = _nnls2(moments(y, t))
    assert a * b == 0
    assert a + b * t[0] == pytest.approx(0.0004)
