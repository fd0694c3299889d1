"""Sync sources into the store: each read with the store closed, then applied all or nothing.

A source that fails (down, bad query, bad rows) is recorded with its reason and the others go
on. The store is opened only to plan a source's window and to apply its batch, never while a
database is being read, so the app and other commands are not blocked by a slow warehouse.
"""

from __future__ import annotations

import datetime as dt
import os
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from metrics.sources.batches import Applied, apply_batch
from metrics.sources.definitions import Source, Target, load_source, load_sources
from metrics.sources.readers import read_source
from metrics.sources.runs import Outcome, SyncRun, last_synced_day, read_window, record_run
from metrics.sources.templates import expand, mask
from metrics.store.connection import open_store
from metrics.store.errors import DataopsError, ValidationFailed
from workflows.progress import Progress, Step, quiet

REFUSAL_FIX = (
    "The store is unchanged. Correct these rows in the source (or import the teams and metrics "
    "they name first), then sync again: the same days are read again."
)


@dataclass(frozen=True)
class SourceResult:
    source: str
    run: SyncRun
    changed_series: tuple[tuple[str, str], ...] = ()

    @property
    def ok(self) -> bool:
        return self.run.outcome == Outcome.OK


@dataclass(frozen=True)
class SyncOutcome:
    results: tuple[SourceResult, ...]

    @property
    def failed(self) -> tuple[SourceResult, ...]:
        return tuple(r for r in self.results if not r.ok)

    @property
    def changed_series(self) -> tuple[tuple[str, str], ...]:
        return tuple(sorted({s for r in self.results for s in r.changed_series}))


def sync_sources(
    store_path: str | Path,
    names: Sequence[str] = (),
    *,
    since: dt.date | None = None,
    env: Mapping[str, str] | None = None,
    progress: Progress = quiet,
) -> SyncOutcome:
    """Sync the named sources (all when none are named); raises only for an unknown name."""
    env = os.environ if env is None else env
    with open_store(store_path) as con:
        sources = [load_source(con, n) for n in names] if names else load_sources(con)
    # Teams before the observations and initiatives that name them, as an import takes files.
    sources.sort(key=lambda s: list(Target).index(s.target))
    results = []
    for source in sources:
        progress(Step(f"syncing source {source.name}"))
        results.append(_sync_one(store_path, source, since, env))
    return SyncOutcome(tuple(results))


def _sync_one(
    store_path: str | Path, source: Source, since: dt.date | None, env: Mapping[str, str]
) -> SourceResult:
    started, clock = dt.datetime.now(), time.perf_counter()
    applied, outcome, message, rows = None, Outcome.OK, "", 0
    uri = None
    try:
        with open_store(store_path) as con:
            first = read_window(last_synced_day(con, source.name), since, source.restatement_days)
        uri = expand(source.uri, env)
        frame = read_source(source, uri, first)
        rows = frame.height
        with open_store(store_path) as con:
            applied = apply_batch(con, source, frame)
    except ValidationFailed as refusal:
        outcome, message = Outcome.REFUSED, f"{refusal}\n{REFUSAL_FIX}"
    except DataopsError as error:
        outcome, message = Outcome.FAILED, str(error)
    except Exception as error:  # a bug in one source's path must not stop the others
        outcome, message = Outcome.FAILED, f"internal error: {type(error).__name__}: {error}"
    message = uri.scrub(message) if uri else mask(message)
    run = _run(source, started, time.perf_counter() - clock, outcome, applied, rows, message)
    with open_store(store_path) as con:
        record_run(con, run)
    return SourceResult(source.name, run, applied.changed_series if applied else ())


def _run(
    source: Source,
    started: dt.datetime,
    seconds: float,
    outcome: Outcome,
    applied: Applied | None,
    rows: int,
    message: str,
) -> SyncRun:
    if applied is None:
        return SyncRun(source.name, started, seconds, outcome, rows_read=rows, message=message)
    return SyncRun(
        source.name,
        started,
        seconds,
        outcome,
        applied.rows_read,
        applied.inserted,
        applied.replaced,
        applied.first_day,
        applied.last_day,
        message,
    )
