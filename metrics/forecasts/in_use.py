"""Which forecast runs are in use, said once for every query that reads them.

A goal's baseline is its frozen runs that fitted (`status = 'ok'`) and were not superseded by a
re-baseline; a series' rolling forecast is its run not yet replaced. Queries splice the
predicate in for their own alias of `forecast_runs`; the values they compare stay bound
parameters (`$goal`).
"""

from __future__ import annotations


def goal_runs_in_use(alias: str = "") -> str:
    """SQL: the runs of goal `$goal` its baseline is made of (alias: `forecast_runs`' alias)."""
    p = f"{alias}." if alias else ""
    return (
        f"{p}goal = $goal and {p}purpose = 'goal' and {p}status = 'ok' and {p}superseded_at is null"
    )


def rolling_runs_in_use(alias: str = "") -> str:
    """SQL: the rolling runs in use, one per series."""
    p = f"{alias}." if alias else ""
    return f"{p}purpose = 'rolling' and {p}superseded_at is null"
