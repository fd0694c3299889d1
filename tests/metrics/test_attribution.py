"""Initiative attribution: residual split by a non-negative ridge, the rest left unattributed."""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl
import pytest

from metrics.contribution.attribution import RIDGE_DAYS, attribute

START = dt.date(2026, 3, 1)


def day(n: int) -> dt.date:
    return START + dt.timedelta(days=n)


def residuals(values, team: str = "promo") -> pl.DataFrame:
    return pl.DataFrame(
        {
            "day": [day(i) for i in range(len(values))],
            "metric": "gmv",
            "team": team,
            "residual": np.asarray(values, dtype=float),
        }
    )


def initiatives(*windows: tuple[str, int, int], team: str = "promo") -> pl.DataFrame:
    """windows: (initiative, first day index, last day index)."""
    rows = [(name, team, "gmv", day(a), day(b)) for name, a, b in windows]
    return pl.DataFrame(
        rows, schema=["initiative", "team", "metric", "start_day", "end_day"], orient="row"
    )


def uplift_by_initiative(result: pl.DataFrame) -> dict[str | None, float]:
    return dict(result.select("initiative", "uplift").iter_rows())


def planted(days: int, effects: dict[tuple[int, int], float], noise: float = 0.0, seed: int = 0):
    values = np.random.default_rng(seed).normal(0.0, noise, days)
    for (a, b), per_day in effects.items():
        values[a : b + 1] += per_day
    return values


def test_a_lone_initiative_gets_its_window_shrunk_by_the_stated_ridge():
    values = planted(30, {(5, 14): 100.0})
    got = uplift_by_initiative(attribute(residuals(values), initiatives(("sale", 5, 14))))
    assert got["sale"] == pytest.approx(1000.0 * 10 / (10 + RIDGE_DAYS))
    assert got[None] == pytest.approx(1000.0 - got["sale"])


def test_initiatives_on_the_same_days_share_evenly_instead_of_arbitrarily():
    values = planted(30, {(5, 14): 100.0})
    got = uplift_by_initiative(
        attribute(residuals(values), initiatives(("a", 5, 14), ("b", 5, 14)))
    )
    assert got["a"] == pytest.approx(got["b"])
    assert got["a"] + got["b"] == pytest.approx(1000.0, rel=0.05)


@pytest.mark.parametrize(
    ("effects", "windows"),
    [
        ({(5, 14): 100.0, (10, 24): 40.0}, (("a", 5, 14), ("b", 10, 24))),
        ({(0, 9): 50.0, (3, 6): 200.0, (8, 20): 30.0}, (("a", 0, 9), ("b", 3, 6), ("c", 8, 20))),
    ],
    ids=["two overlapping", "three, one nested"],
)
def test_overlapping_initiatives_are_separated_by_their_own_days(effects, windows):
    values = planted(40, effects, noise=5.0, seed=3)
    got = uplift_by_initiative(attribute(residuals(values), initiatives(*windows)))
    for (name, a, b), per_day in zip(windows, effects.values(), strict=True):
        truth = per_day * (b - a + 1)
        assert got[name] == pytest.approx(truth, rel=0.1)


def test_a_harmful_initiative_gets_nothing_and_the_loss_stays_unattributed():
    values = planted(30, {(5, 14): -80.0})
    got = uplift_by_initiative(attribute(residuals(values), initiatives(("flop", 5, 14))))
    assert got["flop"] == 0.0
    assert got[None] == pytest.approx(-800.0)


@pytest.mark.parametrize("seed", range(5))
def test_initiatives_plus_unattributed_add_up_to_the_series_residual(seed):
    rng = np.random.default_rng(seed)
    values = rng.normal(20.0, 50.0, 60)
    windows = [
        (f"i{k}", int(a), int(a + rng.integers(3, 15)))
        for k, a in enumerate(rng.integers(0, 45, 4))
    ]
    result = attribute(residuals(values), initiatives(*windows))
    assert result["uplift"].sum() == pytest.approx(values.sum(), rel=1e-12)
    assert (result.filter(kind="initiative")["uplift"] >= 0).all()


def test_each_series_uses_only_its_own_teams_initiatives():
    frame = pl.concat([residuals(planted(20, {(2, 6): 10.0}), team) for team in ("promo", "merch")])
    result = attribute(frame, initiatives(("sale", 2, 6)))
    merch = result.filter(team="merch")
    assert merch["kind"].to_list() == ["unattributed"]
    assert merch["uplift"].item() == pytest.approx(50.0)


def test_an_initiative_outside_the_window_is_listed_with_nothing():
    result = attribute(residuals(planted(10, {})), initiatives(("later", 20, 25)))
    row = result.filter(initiative="later").row(0, named=True)
    assert (row["active_days"], row["uplift"]) == (0, 0.0)
