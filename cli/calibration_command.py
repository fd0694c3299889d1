"""`dataops calibration`: how each series' interval in a goal's baseline was learnt, and how well
it covered the series' own backtests."""

from __future__ import annotations

import json
from enum import StrEnum
from typing import Annotated

import typer

from cli.common import STORE_DEFAULT, GoalOption, StoreOption, frame_table, out

# The store's modules (DuckDB, Polars) are imported inside the command, so that
# `dataops calibration --help` starts without them (tests/cli/test_main.py).

COLUMNS = (
    "metric", "team", "run", "half_width", "coverage", "level_sd", "slope_sd", "noise_sd",
    "noise_phi", "rho", "pooled_over", "backtest_errors", "method",
)  # fmt: skip
PERCENTS = ("half_width", "coverage", "level_sd", "slope_sd", "noise_sd")


class Format(StrEnum):
    TEXT = "text"
    JSON = "json"


def register(app: typer.Typer) -> None:
    app.command("calibration")(calibration_command)


def calibration_command(
    goal: GoalOption,
    format: Annotated[Format, typer.Option("--format", help="text or json.")] = Format.TEXT,
    store: StoreOption = STORE_DEFAULT,
) -> None:
    """Per series of the goal's frozen baseline: the 80% interval's half-width (share of the
    period's natural total), the share of its backtest window totals the interval covered when
    the series was left out of the pool, and the errors it was learnt from."""
    import polars as pl

    from metrics.forecasts.reads import goal_period, run_calibrations
    from metrics.store.connection import open_store

    with open_store(store, read_only=True) as con:
        goal_period(con, goal)  # refuses an unknown goal, naming the known ones
        frame = run_calibrations(con, "goal", goal).select(COLUMNS)
    if format is Format.JSON:
        out.print(json.dumps(frame.to_dicts(), indent=2, default=str), markup=False)
        return
    if frame.is_empty():
        out.print(
            f"goal {goal} has no calibrated baseline yet: run `dataops forecast --goal {goal}`"
        )
        return
    shown = frame.select(
        "metric",
        "team",
        *[pl.col(name).map_elements(_percent, return_dtype=pl.String) for name in PERCENTS],
        phi=pl.col("noise_phi").round(2),
    ).rename(
        {"half_width": "±80%", "level_sd": "level", "slope_sd": "slope/yr", "noise_sd": "noise"}
    )
    out.print(frame_table(shown, f"calibrated 80% intervals of goal {goal}"))
    for metric, method in frame.select("metric", "method").unique(maintain_order=True).rows():
        out.print(f"{metric}: {method}", markup=False)
    covered = frame["coverage"].drop_nulls()
    if not covered.is_empty():
        out.print(
            f"backtest coverage: median {covered.median():.0%} over {covered.len()} series "
            f"(nominal 80%); median half-width {frame['half_width'].median():.2%} of natural",
            markup=False,
        )


def _percent(value: float | None) -> str:
    return "—" if value is None else f"{value:.2%}"
