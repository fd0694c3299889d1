"""`dataops forecast` (natural baselines and rolling forecasts) and `dataops backtest FILE`."""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from cli.common import STORE_DEFAULT, StoreOption, err, out
from metrics.plan.edits import redecompose
from metrics.plan.goals import monthly_targets
from metrics.store.connection import open_store
from metrics.store.errors import DataopsError, StoreMissing

AUTHOR = "dataops forecast"
CountryOption = Annotated[
    str | None,
    typer.Option(
        "--country",
        help="Public holidays of this country (any code the holidays package knows). "
        "Default: the store's setting, else CN.",
    ),
]


class Engine(StrEnum):
    LOCAL = "local"
    SPARK = "spark"


class Format(StrEnum):
    TEXT = "text"
    JSON = "json"


class PartlyFailed(DataopsError):
    """Some series could not be fitted; the others were written."""


def register(app: typer.Typer) -> None:
    app.command("forecast")(forecast_command)
    app.command("backtest")(backtest_command)


def forecast_command(
    goal: Annotated[
        str | None,
        typer.Option("--goal", help="Freeze this goal's natural baseline (else: rolling)."),
    ] = None,
    rebaseline: Annotated[
        bool,
        typer.Option("--rebaseline", help="Refit a frozen baseline; the old runs are kept."),
    ] = False,
    workers: Annotated[
        int | None,
        typer.Option("--workers", min=1, help="Processes to fit in (default: all; local engine)."),
    ] = None,
    country: CountryOption = None,
    engine: Annotated[
        Engine,
        typer.Option("--engine", help="Fit in local processes, or on Spark (see docs/scaling.md)."),
    ] = Engine.LOCAL,
    spark_master: Annotated[
        str | None,
        typer.Option(
            "--spark-master",
            help="With --engine spark: local[N], spark://host:port or sc://host:port "
            "(Spark Connect). Default: $DATAOPS_SPARK_MASTER, else spark-submit's --master, "
            "else local[*].",
        ),
    ] = None,
    store: StoreOption = STORE_DEFAULT,
) -> None:
    """Fit natural growth: a goal's frozen baseline, or every series' forecast 90 days ahead.

    Without --goal, only series whose data, masked days, calendar or settings changed are
    refitted. With --goal, series already frozen are kept unless --rebaseline.
    """
    if rebaseline and goal is None:
        raise DataopsError("--rebaseline needs --goal. Fix: add --goal ID (see `dataops goal`)")
    if not store.exists():
        raise StoreMissing(
            f"no store at {store}. Fix: build one with `dataops demo --store {store}` or "
            f"import your data with `dataops import ... --store {store}`"
        )
    from forecasting import runner  # here: Prophet is slow to import

    options = {"workers": workers, "country": country, "engine": _engine(engine, spark_master)}
    with _progress_bar(f"fitting {'goal ' + goal if goal else 'rolling forecasts'}") as progress:
        if goal is None:
            report = runner.refresh_rolling(store, progress=progress, **options)
        else:
            report = runner.freeze_goal_baseline(
                store, goal, rebaseline=rebaseline, progress=progress, **options
            )
    out.print(report.summary(), markup=False)
    for item in report.skipped:
        if item.reason and item.reason.startswith("STALE"):
            out.print(f"  {item.label}: {item.reason}", markup=False)
    for item in report.failed:
        out.print(f"  failed: {item.label}: {item.reason}", markup=False)
    if goal is not None:
        _finish_pending_targets(store, goal)
    if report.failed:
        raise PartlyFailed(
            f"{len(report.failed)} series could not be fitted (listed above); the others were "
            "written. Fix: give those series more history before the period, or check their data"
        )


def _engine(engine: Engine, master: str | None):
    """None for the local pool; a Spark engine (imported only then) for --engine spark."""
    if engine is Engine.LOCAL:
        if master:
            raise DataopsError("--spark-master needs --engine spark. Fix: add --engine spark")
        return None
    from forecasting.spark_engine import SparkEngine

    return SparkEngine.from_option(master)


def _finish_pending_targets(store: Path, goal: str) -> None:
    """A goal split by its natural baseline waits for one; split it now that it exists."""
    with open_store(store) as con:
        if monthly_targets(con, goal).is_empty():
            redecompose(con, goal, AUTHOR)
            out.print(f"monthly targets of {goal} decomposed on the new baseline", markup=False)


class _progress_bar:
    """A rich progress bar on stderr, handed to the runner as `progress(done, total, label)`."""

    def __init__(self, description: str):
        columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn())
        self.bar = Progress(*columns, TimeElapsedColumn(), console=err, transient=True)
        self.task = self.bar.add_task(description, total=None)

    def __enter__(self):
        self.bar.start()
        return self.update

    def __exit__(self, *exc) -> None:
        self.bar.stop()

    def update(self, done: int, total: int, label: str) -> None:
        self.bar.update(self.task, completed=done, total=total, description=f"fitted {label}")


def backtest_command(
    file: Annotated[Path, typer.Argument(help="A CSV with columns ds (YYYY-MM-DD) and y.")],
    horizon: Annotated[int, typer.Option("--horizon", help="Days to hold out at the end.")],
    country: Annotated[
        str, typer.Option("--country", help="Public holidays of this country.")
    ] = "CN",
    format: Annotated[Format, typer.Option("--format", help="text or json.")] = Format.TEXT,
) -> None:
    """Hold out the last --horizon days of a daily series, fit on the rest, and compare the
    natural model with seasonal-naive (MAPE, sMAPE, and the model's interval coverage)."""
    from forecasting.backtest import backtest_series  # here: Prophet is slow to import
    from forecasting.series_input import read_series_csv

    frame = read_series_csv(file)
    result = backtest_series(frame, horizon, country=country, source=str(file))
    if format is Format.JSON:
        out.print(json.dumps(result.to_dict(), indent=2), markup=False)
        return
    for line in _backtest_text(file, result):
        out.print(line, markup=False)


def _backtest_text(file: Path, result) -> list[str]:
    model, naive = result.model, result.seasonal_naive
    gain = 1 - model.smape / naive.smape if naive.smape else 0.0
    verdict = "beats" if gain > 0 else "does not beat"
    settings = result.settings
    shape = "log" if settings.log else settings.mode.value
    return [
        f"{file}: fitted on {result.train_days} days, last {result.horizon} days held out",
        f"  natural model   MAPE {model.mape:7.2%}  sMAPE {model.smape:7.2%}  "
        f"coverage {model.coverage:.0%} of days inside its {settings.interval_width:.0%} interval",
        f"  seasonal-naive  MAPE {naive.mape:7.2%}  sMAPE {naive.smape:7.2%}",
        f"the model {verdict} seasonal-naive ({abs(gain):.0%} {'lower' if gain > 0 else 'higher'}"
        f" sMAPE); settings chosen on the training days: {shape}, changepoint prior "
        f"{settings.changepoint_prior}",
    ]
