"""Stan's data files: the fast writer writes the numbers stanio would, and leaves what it cannot
write exactly (NaN, infinities, numpy values) to stanio."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
import stanio

from forecasting.stan_json import use_fast_stan_json

DATA = {
    "T": 3,
    "tau": 0.001,
    "y": [0.1, 1 / 3, 2.5e-17],
    "s_a": [0, 1, 1],
    "X": [[1.0, -0.123456789012345], [1e300, 0.0], [5e-324, 7.0]],
}


@pytest.mark.parametrize(
    ("data", "fast"),
    [
        (DATA, True),
        (DATA | {"y": [0.1, math.nan, 1.0]}, False),
        (DATA | {"X": [[1.0, 2.0], [math.inf, 0.0], [1.0, 1.0]]}, False),
        (DATA | {"sigmas": np.array([10.0, 10.0])}, False),
    ],
    ids=["plain", "nan", "infinity", "numpy"],
)
def test_writes_what_stanio_writes(tmp_path, data, fast):
    from cmdstanpy.utils import filesystem

    use_fast_stan_json()
    ours, theirs = tmp_path / "ours.json", tmp_path / "theirs.json"
    filesystem.write_stan_json(str(ours), data)
    stanio.write_stan_json(str(theirs), data)
    if fast:  # the same doubles, read back (the text may differ: 1e-05 against 1e-5)
        assert json.loads(ours.read_text()) == json.loads(theirs.read_text())
    else:  # stanio's own file, with Stan's names for NaN and infinity
        assert ours.read_bytes() == theirs.read_bytes()
