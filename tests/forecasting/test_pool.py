"""The process pool: results in job order, and workers that never run the parent's script."""

from __future__ import annotations

import dataclasses
import datetime as dt
import sys
import types

import polars as pl
import pytest

from forecasting.jobs import Purpose, SeriesJob, run_job
from forecasting.pool import run_jobs


def short_job(team: str) -> SeriesJob:
    """A job that fails fast inside the worker (five days cannot be fitted), so no model runs."""
    days = pl.date_range(dt.date(2025, 1, 1), dt.date(2025, 1, 5), eager=True).alias("day")
    return SeriesJob(
        metric="gmv",
        team=team,
        history=days.to_frame().with_columns(y=pl.lit(1.0)),
        masked=pl.Series("day", [], dtype=pl.Date),
        days=days,
        festivals=pl.DataFrame(
            schema={"event": pl.String, "start_day": pl.Date, "end_day": pl.Date}
        ),
        country=None,
        purpose=Purpose.GOAL,
    )


def test_workers_do_not_rerun_the_parents_main_script(tmp_path, monkeypatch):
    """Under Streamlit `__main__` is the page script; a worker that re-ran it crashed."""
    script = tmp_path / "page.py"
    script.write_text("raise SystemExit('a worker ran the parent script')\n")
    page = types.ModuleType("__main__")
    page.__file__ = str(script)
    page.__spec__ = None
    monkeypatch.setitem(sys.modules, "__main__", page)
    jobs = [(short_job(team), team) for team in ("a", "b", "c")]
    calls = []
    results = run_jobs(jobs, workers=2, progress=lambda *args: calls.append(args))
    assert [result.team for result in results] == ["a", "b", "c"]
    assert all("only 5 observed days" in result.error for result in results)
    assert sorted(done for done, _, _ in calls) == [1, 2, 3]


@pytest.mark.parametrize(
    ("days", "reason"),
    [(0, "ValueError: no observations before 2025-01-01"), (5, "only 5 observed days")],
)
def test_a_series_too_short_to_fit_fails_with_its_reason(days, reason):
    job = short_job("a")
    job = dataclasses.replace(job, history=job.history.head(days))
    result = run_job(job, job.input_hash())
    assert not result.ok and reason in result.error and result.forecast is None
