"""Shapley contributions to a company ratio: exact by hand, efficient at scale, honest sampling."""

from __future__ import annotations

import itertools
import math
from fractions import Fraction

import numpy as np
import polars as pl
import pytest

from metrics.contribution.shapley import (
    EXACT_MAX_PLAYERS,
    RatioGame,
    exact_shapley,
    ratio_shapley,
    sampled_shapley,
    shapley_values,
)


def players(rows: list[tuple[str, float, float, float, float]]) -> pl.DataFrame:
    """rows: team, num_actual, den_actual, num_natural, den_natural."""
    columns = ["team", "num_actual", "den_actual", "num_natural", "den_natural"]
    return pl.DataFrame(rows, schema=columns, orient="row")


def by_definition(rows) -> dict[str, Fraction]:
    """Shapley values in exact fractions: average marginal contribution over every order."""
    teams = [row[0] for row in rows]
    value = {row[0]: [Fraction(x) for x in row[1:]] for row in rows}

    def ratio(at_actual: set[str]) -> Fraction:
        num = sum(value[t][0] if t in at_actual else value[t][2] for t in teams)
        den = sum(value[t][1] if t in at_actual else value[t][3] for t in teams)
        return num / den

    totals = dict.fromkeys(teams, Fraction(0))
    for order in itertools.permutations(teams):
        switched: set[str] = set()
        for team in order:
            before = ratio(switched)
            switched.add(team)
            totals[team] += ratio(switched) - before
    return {team: total / math.factorial(len(teams)) for team, total in totals.items()}


def random_game(seed: int, teams: int, draws: int = 1) -> RatioGame:
    rng = np.random.default_rng(seed)
    num_natural = rng.uniform(50, 500, (draws, teams))
    den_natural = num_natural * rng.uniform(20, 60, (draws, teams))
    return RatioGame(
        num_actual=num_natural * rng.uniform(0.8, 1.4, (draws, teams)),
        den_actual=den_natural * rng.uniform(0.8, 1.3, (draws, teams)),
        num_natural=num_natural,
        den_natural=den_natural,
    )


def company_uplift(game: RatioGame) -> np.ndarray:
    actual = game.num_actual.sum(1) / game.den_actual.sum(1)
    return actual - game.num_natural.sum(1) / game.den_natural.sum(1)


HAND_CASES = [
    pytest.param(
        # v(none) = 20/200, v(a) = 30/200, v(b) = 20/150, v(ab) = 30/150:
        # a = ((30/200 - 20/200) + (30/150 - 20/150)) / 2 = 7/120, b = 5/120
        [("a", 20, 100, 10, 100), ("b", 10, 50, 10, 100)],
        {"a": Fraction(7, 120), "b": Fraction(5, 120)},
        id="two teams: one sells more, one loses traffic",
    ),
    pytest.param(
        # only numerators move, so the game is additive: each gets its extra orders / 300
        [("a", 20, 100, 10, 100), ("b", 10, 100, 10, 100), ("c", 15, 100, 10, 100)],
        {"a": Fraction(10, 300), "b": Fraction(0), "c": Fraction(5, 300)},
        id="three teams: additive case",
    ),
    pytest.param(
        [("a", 30, 100, 10, 100), ("b", 10, 50, 10, 100), ("c", 5, 200, 10, 100)],
        # worked out by the subset formula (coalition S weighs |S|!(3-|S|-1)!/3!), not by
        # `by_definition`'s orders, so the reference is checked too; they add up to 1/35
        {"a": Fraction(793, 12600), "b": Fraction(961, 50400), "c": Fraction(-2693, 50400)},
        id="three teams: traffic and sales both move",
    ),
]


@pytest.mark.parametrize(("rows", "expected"), HAND_CASES)
def test_exact_values_match_the_definition(rows, expected):
    assert by_definition(rows) == expected
    got = dict(ratio_shapley(players(rows)).select("team", "contribution").iter_rows())
    assert got == pytest.approx({team: float(value) for team, value in expected.items()}, abs=1e-15)


def test_a_team_at_its_natural_gets_nothing_and_twins_get_the_same():
    rows = [("a", 20, 100, 10, 100), ("b", 20, 100, 10, 100), ("idle", 7, 70, 7, 70)]
    got = dict(ratio_shapley(players(rows)).select("team", "contribution").iter_rows())
    assert got["idle"] == pytest.approx(0.0, abs=1e-15)
    assert got["a"] == pytest.approx(got["b"], abs=1e-15)


@pytest.mark.parametrize("teams", [1, 2, 5, 12])
def test_exact_values_add_up_to_the_company_uplift(teams):
    game = random_game(seed=teams, teams=teams, draws=3)
    values = exact_shapley(game)
    np.testing.assert_allclose(values.sum(1), company_uplift(game), rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("teams", [13, 40, 120])
def test_sampled_values_still_add_up_exactly_beyond_the_exact_limit(teams):
    game = random_game(seed=teams, teams=teams, draws=2)
    values, errors = shapley_values(game, seed=1)
    assert teams > EXACT_MAX_PLAYERS
    np.testing.assert_allclose(values.sum(1), company_uplift(game), rtol=1e-12, atol=1e-15)
    assert (errors > 0).all()


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_sampling_error_is_as_small_as_stated(seed):
    game = random_game(seed=seed, teams=EXACT_MAX_PLAYERS)
    exact = exact_shapley(game)
    sampled, errors = sampled_shapley(game, seed=seed)
    # |error| beyond 4 stated standard errors would mean the stated error is not honest
    assert (np.abs(sampled - exact) <= 4 * errors + 1e-15).all()
    # and the stated error is small against the contributions themselves
    assert errors.max() < 0.01 * np.abs(exact).max()


def test_sampling_is_reproducible_by_seed():
    game = random_game(seed=9, teams=20)
    first, _ = sampled_shapley(game, seed=5)
    again, _ = sampled_shapley(game, seed=5)
    np.testing.assert_array_equal(first, again)
