"""Shapley contributions of teams to a company ratio (conversion = Σ orders / Σ visitors).

The game: a coalition S of teams is "at actual", every other team "at natural"; its value is the
company ratio  v(S) = (a + Σ_{i∈S} dn_i) / (b + Σ_{i∈S} dd_i),  where a, b are the natural
numerator and denominator sums of all teams and dn_i, dd_i each team's actual-minus-natural
numerator and denominator. v(all) - v(none) is the company's uplift, and Shapley values split it
so that the parts add up to it exactly (efficiency) whatever the interactions between teams.

Up to `EXACT_MAX_PLAYERS` teams every coalition is evaluated (2^12 = 4096 ratios per draw). Beyond
that there is no closed form for a ratio of sums, so we sample permutations (seeded, each paired
with its reverse to cancel most of the order noise). Every permutation's marginal contributions
telescope to v(all) - v(none), so the sampled values are still exactly efficient; only the split
between teams carries sampling error, reported per team as `standard_error`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import polars as pl

EXACT_MAX_PLAYERS = 12
DEFAULT_PERMUTATIONS = 2000  # antithetic pairs count twice; SE shrinks as 1/sqrt(permutations)


@dataclass(frozen=True)
class RatioGame:
    """The ratio game for one or several draws of the natural baseline.

    Arrays have shape (draws, players): row 0 may be the point baseline, further rows samples.
    """

    num_actual: np.ndarray
    den_actual: np.ndarray
    num_natural: np.ndarray
    den_natural: np.ndarray

    def rows(self, draws: slice) -> RatioGame:
        """The same game for a subset of the draws."""
        return RatioGame(
            self.num_actual[draws],
            self.den_actual[draws],
            self.num_natural[draws],
            self.den_natural[draws],
        )

    @property
    def players(self) -> int:
        return self.num_actual.shape[1]

    def value(self, in_actual: np.ndarray) -> np.ndarray:
        """v for coalition masks `in_actual` (coalitions, players) -> (draws, coalitions)."""
        mask = in_actual.astype(float)
        num = self.num_natural.sum(1, keepdims=True) + (self.num_actual - self.num_natural) @ mask.T
        den = self.den_natural.sum(1, keepdims=True) + (self.den_actual - self.den_natural) @ mask.T
        return num / den


def ratio_shapley(players: pl.DataFrame, *, seed: int = 0) -> pl.DataFrame:
    """Each team's Shapley contribution to the company ratio's uplift over natural.

    `players`: team, num_actual, den_actual, num_natural, den_natural (window sums per team).
    Returns columns team, contribution, standard_error (0.0 when computed exactly).
    """
    game = RatioGame(*(players[c].to_numpy().astype(float)[None, :] for c in _GAME_COLUMNS))
    values, errors = shapley_values(game, seed=seed)
    return pl.DataFrame(
        {"team": players["team"], "contribution": values[0], "standard_error": errors[0]}
    )


_GAME_COLUMNS = ("num_actual", "den_actual", "num_natural", "den_natural")


def shapley_values(
    game: RatioGame, *, seed: int = 0, permutations: int = DEFAULT_PERMUTATIONS
) -> tuple[np.ndarray, np.ndarray]:
    """Shapley values and their standard errors, each of shape (draws, players)."""
    if game.players <= EXACT_MAX_PLAYERS:
        values = exact_shapley(game)
        return values, np.zeros_like(values)
    return sampled_shapley(game, seed=seed, permutations=permutations)


def exact_shapley(game: RatioGame) -> np.ndarray:
    """Shapley values by evaluating every coalition. Shape (draws, players)."""
    n = game.players
    codes = np.arange(2**n)
    masks = ((codes[:, None] >> np.arange(n)) & 1).astype(bool)
    values = game.value(masks)
    sizes = masks.sum(1)
    # weight of a coalition of size k not containing the player: k! (n-k-1)! / n!
    weight = np.array([math.factorial(k) * math.factorial(n - k - 1) for k in range(n)], float)
    weight /= math.factorial(n)
    result = np.empty((values.shape[0], n))
    for player in range(n):
        without = codes[~masks[:, player]]
        with_player = without | (1 << player)
        marginal = values[:, with_player] - values[:, without]
        result[:, player] = marginal @ weight[sizes[without]]
    return result


def sampled_shapley(
    game: RatioGame, *, seed: int, permutations: int = DEFAULT_PERMUTATIONS
) -> tuple[np.ndarray, np.ndarray]:
    """Shapley values by antithetic permutation sampling, with per-player standard errors.

    Exactly efficient: each permutation's marginals sum to v(all) - v(none). The same seeded
    permutations serve every draw, so sampled intervals do not mix in permutation noise.
    """
    n = game.players
    rng = np.random.default_rng(seed)
    pairs = max(permutations // 2, 2)
    forward = np.argsort(rng.random((pairs, n)), axis=1)
    orders = np.concatenate([forward, forward[:, ::-1]])
    draws = game.num_actual.shape[0]
    chunk = max(1, _CHUNK_CELLS // (len(orders) * (n + 1)))
    values, errors = np.empty((draws, n)), np.empty((draws, n))
    for first in range(0, draws, chunk):
        rows = slice(first, first + chunk)
        marginal = _marginals(game, rows, orders)
        paired = (marginal[:, :pairs] + marginal[:, pairs:]) / 2
        values[rows] = paired.mean(axis=1)
        errors[rows] = paired.std(axis=1, ddof=1) / math.sqrt(pairs)
    return values, errors


_CHUNK_CELLS = 4_000_000  # keeps the (draws, permutations, players) arrays near 32 MB each


def _marginals(game: RatioGame, rows: slice, orders: np.ndarray) -> np.ndarray:
    """Marginal contribution of each player in each order: shape (draws, orders, players)."""

    def prefix(natural: np.ndarray, actual: np.ndarray) -> np.ndarray:
        step = (actual - natural)[:, orders]
        start = natural.sum(1)[:, None, None] + np.zeros((*step.shape[:2], 1))
        return np.concatenate([start, start + np.cumsum(step, axis=2)], axis=2)

    num = prefix(game.num_natural[rows], game.num_actual[rows])
    den = prefix(game.den_natural[rows], game.den_actual[rows])
    by_position = np.diff(num / den, axis=2)
    marginal = np.empty_like(by_position)
    np.put_along_axis(marginal, np.broadcast_to(orders, by_position.shape), by_position, 2)
    return marginal
