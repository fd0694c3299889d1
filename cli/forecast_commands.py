"""`dataops forecast` (natural baselines and rolling forecasts) and `dataops backtest FILE`."""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from cli.common import STORE_DEFAULT, StoreOption, out, progress_bar
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
    from workflows.forecasts import refit_forecasts  # here: --help needs no store (DuckDB, Polars)
    from workflows.goals import fit_and_split

    if rebaseline and goal is None:
        raise DataopsError("--rebaseline needs --goal. Fix: add --goal ID (see `dataops goal`)")
    if not store.exists():
        raise StoreMissing(
            f"no store at {store}. Fix: build one with `dataops demo --store {store}` or "
            f"import your data with `dataops import ... --store {store}`"
        )
    options = {"workers": workers, "country": country, "engine": _engine(engine, spark_master)}
    with progress_bar(f"fitting {'goal ' + goal if goal else 'rolling forecasts'}") as progress:
        if goal is None:
            report, split = refit_forecasts(store, progress=progress, **options), None
        else:
            split = fit_and_split(
                store, goal, AUTHOR, rebaseline=rebaseline, progress=progress, **options
            )
            report = split.baseline
    out.print(report.summary(), markup=False)
    for item in report.skipped:
        if item.reason and item.reason.startswith("STALE"):
            out.print(f"  {item.label}: {item.reason}", markup=False)
    for item in report.failed:
        out.print(f"  failed: {item.label}: {item.reason}", markup=False)
    if split is not None and not split.ok:
        raise split.problem
    if split is not None and split.saved is not None:
        out.print(f"monthly targets of {goal} decomposed on the new baseline", markup=False)
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
