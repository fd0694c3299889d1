"""Fit series on Spark: the same per-series function as the local pool, through `applyInPandas`.

The driver encodes each (job, input hash) with `forecasting.wire` (JSON and Arrow IPC, never
pickle), Spark groups the rows by (metric, team) and runs the fit function once per group on its
executors, and the results come back to the driver as one Arrow table, decoded to the same result
objects the pool returns, so the runner writes them exactly as it writes the pool's. A series
whose fit fails comes back as a failed result like in the pool; a crash of the Spark job itself
raises `SparkUnavailable` and nothing is written.

Masters: `local[N]` (a Spark inside this process, for tests and one machine), `spark://host:port`
(a standalone cluster) and `sc://host:port` (Spark Connect). Executors need this project
installed (docs/scaling.md); in local mode they run this very Python (`PYSPARK_PYTHON`).
"""

from __future__ import annotations

import os
import shutil
import sys
import typing
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pandas as pd

from forecasting import wire
from forecasting.report import Progress, noop_progress
from metrics.store.errors import DataopsError

MASTER_ENV = "DATAOPS_SPARK_MASTER"
UNSET = "the master of spark-submit (or $SPARK_REMOTE), else local[*]"
RESULT_SCHEMA = "position long, metric string, team string, result binary"
# As many shuffle partitions as series (hashing puts a few together: 30 series made 19 tasks),
# scheduled as cores free up; a fit takes seconds, so a task's overhead is nothing next to it.
# Adaptive execution must not merge the tiny partitions: with it on, those 30 series ran as one
# task, on one core.
SESSION_CONF = {
    "spark.sql.adaptive.coalescePartitions.enabled": "false",
    "spark.sql.execution.arrow.pyspark.enabled": "true",
}


class SparkUnavailable(DataopsError):
    """Spark could not start, or its job failed as a whole; nothing was written."""


@dataclass(frozen=True)
class SparkEngine:
    """Where to fit: a Spark master URL (`local[N]`, `spark://...` or `sc://...`). None leaves
    it to Spark: the `--master` of spark-submit when run under it, else local[*]."""

    master: str | None = None

    @classmethod
    def from_option(cls, master: str | None) -> SparkEngine:
        """--spark-master, else $DATAOPS_SPARK_MASTER, else Spark's own choice."""
        return cls(master or os.environ.get(MASTER_ENV) or None)

    @property
    def where(self) -> str:
        return self.master or UNSET

    def run_jobs(
        self,
        jobs: list[tuple[Any, str]],
        fit: Callable[[Any, str], Any],
        *,
        progress: Progress | None = None,
    ) -> list[Any]:
        """`fit(job, input_hash)` for every pair on Spark; results in the order of the jobs."""
        progress = progress or noop_progress
        if not jobs:
            return []
        result_type = typing.get_type_hints(fit)["return"]
        with warnings.catch_warnings():
            _quiet_pandas_version_warning()
            spark = self._session(partitions=len(jobs))
            try:
                table = _fit_on_spark(spark, jobs, fit)
            except Exception as error:
                raise SparkUnavailable(
                    f"the Spark job on {self.where} failed: {_first_line(error)}. Nothing was "
                    "written. Fix: check the master URL and that its executors have this "
                    "project installed (docs/scaling.md)"
                ) from error
            finally:
                spark.stop()
        results: dict[int, Any] = {}
        for position, payload in zip(
            table.column("position").to_pylist(), table.column("result").to_pylist(), strict=True
        ):
            results[position] = wire.from_bytes(result_type, payload)
            job = jobs[position][0]
            progress(len(results), len(jobs), f"{job.metric} / {job.team}")
        return [results[position] for position in range(len(jobs))]

    @property
    def connect(self) -> bool:
        """Spark Connect: a remote session, no JVM here."""
        return (self.master or os.environ.get("SPARK_REMOTE") or "").startswith("sc://")

    def _session(self, partitions: int):
        if not self.connect:
            _check_java()
        # Executors of a local master are this machine's: run them in this Python (the venv with
        # Prophet), not whatever `python3` is first on PATH.
        os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
        from pyspark.sql import SparkSession  # here: pyspark takes a second to import

        builder = SparkSession.builder
        # pyspark keeps builder options in one class-wide dict: a Spark Connect session built
        # earlier in this process leaves spark.remote behind, which turns a local master into a
        # Connect one ("CONNECT_URL_NOT_SET"). Start every session from a clean slate.
        for key in ("spark.remote", "spark.master", "spark.api.mode"):
            builder._options.pop(key, None)  # no public way to reset them
        if not self.connect:  # pyspark marks the whole process as Connect-only after one
            os.environ.pop("SPARK_CONNECT_MODE_ENABLED", None)
        builder = builder.appName("dataops forecast")
        if self.connect:
            builder = builder.remote(self.master) if self.master else builder
        else:
            builder = builder.config("spark.ui.showConsoleProgress", "false")
            builder = builder.master(self.master) if self.master else builder
        try:
            spark = builder.getOrCreate()
        except Exception as error:
            raise SparkUnavailable(
                f"could not start Spark at {self.where}: {_first_line(error)}. Fix: check the "
                f"URL (local[N], spark://host:port or sc://host:port) and that Java 17+ is "
                "installed"
            ) from error
        for key, value in {**SESSION_CONF, "spark.sql.shuffle.partitions": partitions}.items():
            spark.conf.set(key, str(value))
        return spark


def _fit_on_spark(spark, jobs: list[tuple[Any, str]], fit: Callable):
    """One row per series in, grouped by (metric, team); one row per series out, as Arrow."""
    rows = pd.DataFrame(
        {
            "position": range(len(jobs)),
            "metric": [job.metric for job, _ in jobs],
            "team": [job.team for job, _ in jobs],
            "input_hash": [digest for _, digest in jobs],
            "job": [wire.to_bytes(job) for job, _ in jobs],
        }
    )
    schema = "position long, metric string, team string, input_hash string, job binary"
    frame = spark.createDataFrame(rows, schema=schema)
    fit_group = _group_fitter(fit, type(jobs[0][0]))
    return frame.groupBy("metric", "team").applyInPandas(fit_group, RESULT_SCHEMA).toArrow()


def _group_fitter(fit: Callable, job_type: type) -> Callable[[pd.DataFrame], pd.DataFrame]:
    """The function Spark runs per group. It closes over `fit` and the job class only (both
    importable, so they travel by name), never over data."""
    result_type = typing.get_type_hints(fit)["return"]

    def fit_group(rows: pd.DataFrame) -> pd.DataFrame:
        _quiet_pandas_version_warning()
        out = {"position": [], "metric": [], "team": [], "result": []}
        for position, metric, team, digest, payload in _rows(rows):
            result = fit(wire.from_bytes(job_type, payload), digest)
            out["position"].append(position)
            out["metric"].append(metric)
            out["team"].append(team)
            out["result"].append(wire.to_bytes(_checked(result, result_type)))
        return pd.DataFrame(out)

    return fit_group


def _rows(rows: pd.DataFrame) -> Iterator[tuple[int, str, str, str, bytes]]:
    columns = ("position", "metric", "team", "input_hash", "job")
    for position, metric, team, digest, payload in zip(
        *(rows[c].tolist() for c in columns), strict=True
    ):
        yield int(position), metric, team, digest, bytes(payload)


def _checked(result: Any, result_type: Any) -> Any:
    if isinstance(result_type, type) and not isinstance(result, result_type):
        raise TypeError(f"the fit function returned a {type(result).__name__}")
    return result


def _quiet_pandas_version_warning() -> None:
    """pyspark warns on every call that it is not yet tested with pandas 3; the frames we hand
    it are plain (numbers, text, bytes) and round-trip exactly (tests/forecasting)."""
    warnings.filterwarnings(
        "ignore", message="PySpark does not yet fully support pandas", category=FutureWarning
    )


def _check_java() -> None:
    """A local or standalone master starts a JVM here (Spark Connect does not)."""
    if shutil.which("java") or os.environ.get("JAVA_HOME"):
        return
    raise SparkUnavailable(
        "the Spark engine needs a Java runtime (17 or later) and none was found. Fix: install "
        "one (Debian: apt-get install default-jre-headless) or set JAVA_HOME"
    )


def _first_line(error: Exception) -> str:
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__
