"""Small numerical tools the subpackages share; pure functions of arrays, nothing of ours imported.

Kept here so that `checks` and `contribution` can both use them without importing each other.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # NumPy loads where a function computes: the constants are read by commands
    import numpy as np  # that only print (`dataops calibration`), and NumPy is 0.1 s of a start

RIDGE_DAYS = 0.1  # the penalty weighs like a tenth of a day of data
INTERVAL_WIDTH = 0.8  # every interval shown: the width of the baseline's own daily interval


def interval_bounds(width: float = INTERVAL_WIDTH) -> tuple[float, float]:
    """The quantile levels of a central interval of `width`: 0.8 gives (0.1, 0.9)."""
    return (1 - width) / 2, (1 + width) / 2


def ridge_nnls(design: np.ndarray, target: np.ndarray, ridge: float) -> np.ndarray:
    """argmin |target - design b|^2 + ridge |b|^2 over b >= 0."""
    import numpy as np
    from scipy.optimize import nnls  # here: scipy takes a third of every `dataops` start

    k = design.shape[1]
    augmented = np.vstack([design, np.sqrt(ridge) * np.eye(k)])
    solution, _ = nnls(augmented, np.concatenate([target, np.zeros(k)]))
    return solution


# The standard normal's 90th percentile: an 80% interval is the estimate +- Z80 sd.
Z80 = 1.2815515655446004


def ar1_sum_variance(phi: float, n: np.ndarray | float) -> np.ndarray | float:
    """Variance of the sum of `n` consecutive days of an AR(1) series with unit variance and
    lag-one correlation `phi`: persistent noise does not average out over a window as fast as
    independent noise does (n (1 + phi) / (1 - phi) for long windows instead of n)."""
    import numpy as np

    n = np.asarray(n, dtype=float)
    if phi <= 0:
        return n
    return n * (1 + phi) / (1 - phi) - 2 * phi * (1 - phi**n) / (1 - phi) ** 2
