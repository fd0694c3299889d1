"""Run series jobs over worker processes, reporting progress as each one finishes.

Workers come from a forkserver: the app runs threads, and forking a threaded process can copy a
held lock into the child. The forkserver imports Prophet once, so each worker starts warm.

A new worker normally re-runs the parent's `__main__` first. Under Streamlit that is the page
script, which then ran in bare mode in every worker and crashed it (seen as BrokenProcessPool in
the app). The workers need nothing from `__main__` (jobs and `run_job` live in this package), so
while this module starts workers, their preparation data leaves the main module out.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import threading
from collections.abc import Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait

from forecasting.jobs import SeriesJob, SeriesResult, run_job
from forecasting.lifeline import watch
from forecasting.report import Progress, noop_progress

_PRELOAD = ["forecasting.jobs", "forecasting.model", "prophet"]
_STARTING = threading.local()  # set while this thread starts our workers


def default_workers() -> int:
    return max(1, os.cpu_count() or 1)


def run_jobs(
    jobs: list[tuple[SeriesJob, str]],
    *,
    workers: int | None = None,
    progress: Progress | None = None,
) -> list[SeriesResult]:
    """Run each (job, input hash); results in the order the jobs were given."""
    progress = progress or noop_progress
    workers = min(workers or default_workers(), max(len(jobs), 1))
    if workers == 1:
        return _run_here(jobs, progress)
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(_PRELOAD)
    results: dict[int, SeriesResult] = {}
    with ProcessPoolExecutor(
        max_workers=workers, mp_context=context, initializer=watch, initargs=(os.getpid(),)
    ) as pool:  # workers end with this process, even when it is SIGKILLed (lifeline.py)
        with _workers_without_main():  # workers start as jobs are submitted
            pending: dict[Future, int] = {
                pool.submit(run_job, job, digest): index for index, (job, digest) in enumerate(jobs)
            }
        while pending:
            done, _ = wait(pending, return_when=FIRST_COMPLETED)
            for future in done:
                index = pending.pop(future)
                results[index] = _result(future, *jobs[index])
                job = jobs[index][0]
                progress(len(results), len(jobs), f"{job.metric} / {job.team}")
    return [results[index] for index in range(len(jobs))]


@contextlib.contextmanager
def _workers_without_main() -> Iterator[None]:
    _install_preparation_filter()
    _STARTING.active = True
    try:
        yield
    finally:
        _STARTING.active = False


def _install_preparation_filter() -> None:
    """Wrap multiprocessing's preparation data once per process (idempotent); the wrapper only
    acts in a thread inside `_workers_without_main`, so other users of multiprocessing keep
    their behaviour."""
    from multiprocessing import spawn

    original = spawn.get_preparation_data
    if getattr(original, "filters_main", False):
        return

    def preparation(name: str) -> dict:
        data = original(name)
        if getattr(_STARTING, "active", False):
            data.pop("init_main_from_path", None)
            data.pop("init_main_from_name", None)
        return data

    preparation.filters_main = True  # type: ignore[attr-defined]
    spawn.get_preparation_data = preparation


def _run_here(jobs: list[tuple[SeriesJob, str]], progress: Progress) -> list[SeriesResult]:
    results = []
    for job, digest in jobs:
        results.append(run_job(job, digest))
        progress(len(results), len(jobs), f"{job.metric} / {job.team}")
    return results


def _result(future: Future, job: SeriesJob, digest: str) -> SeriesResult:
    """The worker's result, or a failure when the worker itself died (out of memory, killed)."""
    error = future.exception()
    if error is None:
        return future.result()
    return SeriesResult(job.metric, job.team, digest, 0.0, error=f"worker stopped: {error!r}")
