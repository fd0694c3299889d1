"""`dataops refresh` and the forecasts after a sync: safe to run from cron, one at a time.

A lock file beside the store (`<store>.refresh.lock`, held with flock) keeps two refreshes from
overlapping: the second says which process runs and exits non-zero, and the kernel drops the lock
when a run dies, so a crashed refresh never blocks the next one. Pages need nothing recomputed:
their caches are keyed by the store file's fingerprint, which every write changes.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import os
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from metrics.store.errors import DataopsError
from workflows.progress import Progress, quiet
from workflows.sync import SyncOutcome, sync_sources

if TYPE_CHECKING:
    from forecasting.report import RunReport


class RefreshRunning(DataopsError):
    exit_code = 75  # EX_TEMPFAIL: cron's next run will try again


@dataclass(frozen=True)
class RefreshOutcome:
    sync: SyncOutcome
    forecasts: RunReport | None  # None when nothing changed


def refresh(
    store_path: str | Path,
    *,
    env: Mapping[str, str] | None = None,
    forecast: bool = True,
    progress: Progress = quiet,
) -> RefreshOutcome:
    """Sync every source, then refit the rolling forecasts of the series that changed."""
    with refresh_lock(store_path):
        return sync_then_forecast(store_path, (), env=env, forecast=forecast, progress=progress)


def sync_then_forecast(
    store_path: str | Path,
    names: Sequence[str],
    *,
    since: dt.date | None = None,
    env: Mapping[str, str] | None = None,
    forecast: bool = True,
    progress: Progress = quiet,
) -> RefreshOutcome:
    outcome = sync_sources(store_path, names, since=since, env=env, progress=progress)
    forecasts = None
    if forecast and outcome.changed_series:
        forecasts = refresh_forecasts(store_path, outcome.changed_series, progress=progress)
    return RefreshOutcome(outcome, forecasts)


def refresh_forecasts(
    store_path: str | Path,
    changed: Sequence[tuple[str, str]],
    *,
    progress: Progress = quiet,
) -> RunReport:
    """Refit the rolling forecasts after new data, through `forecasting.runner.refresh_rolling`
    (by way of `workflows.forecasts`). It refits only series whose inputs changed (it hashes each
    series' data), which are exactly `changed`; the others are kept. Prophet is imported only
    here, when there is something to fit."""
    from workflows.forecasts import refit_forecasts

    return refit_forecasts(Path(store_path), progress=progress)


@contextlib.contextmanager
def refresh_lock(store_path: str | Path) -> Iterator[None]:
    path = Path(store_path)
    lock_path = path.with_name(path.name + ".refresh.lock")
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    with lock_path.open("a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "another process"
            raise RefreshRunning(
                f"a refresh of {path} is already running ({holder}); this one did nothing. "
                "Fix: let it finish; the next scheduled run will pick up anything new"
            ) from None
        try:
            handle.truncate(0)
            handle.write(f"pid {os.getpid()}, started {dt.datetime.now():%Y-%m-%d %H:%M:%S}")
            handle.flush()
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
