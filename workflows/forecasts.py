"""Fitting natural growth, as a person asks for it: freeze a goal's baseline, refit the forecasts.

Prophet is imported only when a step runs (it takes seconds to load), and the store is closed
while models fit (the runner sees to that). Both steps return the runner's `RunReport`: every
series fitted, skipped (kept or unchanged) or failed, with its reason.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from workflows.progress import Progress, fits, quiet

if TYPE_CHECKING:
    from forecasting.report import RunReport

BASELINE_STAGE = "fitting the natural baseline"
FORECASTS_STAGE = "fitting rolling forecasts"


def freeze_baseline(
    store: Path,
    goal_id: str,
    *,
    rebaseline: bool = False,
    workers: int | None = None,
    country: str | None = None,
    progress: Progress = quiet,
) -> RunReport:
    """Fit and freeze the natural baseline of every series `goal_id` needs (a frozen series is
    kept unless `rebaseline`, which keeps the old runs for audit)."""
    from forecasting.runner import freeze_goal_baseline  # here: Prophet is slow to import

    return freeze_goal_baseline(
        store,
        goal_id,
        rebaseline=rebaseline,
        workers=workers,
        country=country,
        progress=fits(progress, BASELINE_STAGE),
    )


def refit_forecasts(
    store: Path,
    *,
    workers: int | None = None,
    country: str | None = None,
    progress: Progress = quiet,
) -> RunReport:
    """Refit the rolling forecast of every series whose inputs changed since its run."""
    from forecasting.runner import refresh_rolling  # here: Prophet is slow to import

    return refresh_rolling(
        store, workers=workers, country=country, progress=fits(progress, FORECASTS_STAGE)
    )
