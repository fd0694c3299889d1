"""Options and output helpers shared by every command: no command module imports another."""

from __future__ import annotations

import contextlib
import datetime as dt
import getpass
import os
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console

from metrics.store.errors import DataopsError, ValidationFailed
from metrics.store.input_limits import read_bounded, shape_problems
from metrics.store.names import DEFAULT_STORE
from workflows.progress import Step

# Only light modules at the top: every command's --help imports this one
# (tests/cli/test_main.py).
if TYPE_CHECKING:
    import polars as pl
    from rich.table import Table

    from forecasting.report import RunReport

StoreOption = Annotated[
    Path,
    typer.Option(
        "--store",
        envvar="DATAOPS_STORE",
        help="The store file (a DuckDB database).",
        show_default=True,
    ),
]
STORE_DEFAULT = DEFAULT_STORE

out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False, soft_wrap=True)

GoalOption = Annotated[str, typer.Option("--goal", help="The goal's id, e.g. gmv_2026.")]
ByOption = Annotated[
    str | None, typer.Option("--by", help="Who makes the change (default: $USER).")
]
DateOption = Annotated[dt.datetime, typer.Option(formats=["%Y-%m-%d"], help="YYYY-MM-DD")]
FormatOption = Annotated[str, typer.Option("--format", help="table or json.")]


def frame_table(frame: pl.DataFrame, title: str) -> Table:
    from rich.table import Table

    table = Table(title=title, title_justify="left")
    for column in frame.columns:
        table.add_column(column, justify="right" if frame[column].dtype.is_numeric() else "left")
    for row in frame.iter_rows():
        table.add_row(*(cell_text(value) for value in row))
    return table


def cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:,.0f}" if abs(value) >= 1000 else f"{value:,.6g}"
    return str(value)


def who(by: str | None) -> str:
    """The person a change is recorded under: --by, else $USER, else the login name."""
    if by and by.strip():
        return by.strip()
    try:
        return os.environ.get("USER") or getpass.getuser()
    except OSError:
        return "unknown"


def read_file(path: Path) -> bytes:
    """A user's input file, read within the input limits (metrics.store.input_limits) and
    refused for its size or shape before anything parses it or opens the store."""
    data = read_bounded(path)
    if over := shape_problems(str(path), data):
        raise ValidationFailed(over)
    return data


def check_format(format: str) -> str:
    if format not in ("table", "json"):
        raise DataopsError(f"--format {format!r} is not known. Fix: use table or json")
    return format


@contextlib.contextmanager
def progress_bar(description: str) -> Iterator:
    """A rich bar on stderr, yielded as a workflow's `progress(step)`: a batch of fits fills it,
    a stage without a count only names itself."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn())
    with Progress(*columns, TimeElapsedColumn(), console=err, transient=True) as bar:
        task = bar.add_task(description, total=None)

        def update(step: Step) -> None:
            if step.total is None:
                bar.update(task, description=step.stage)
            else:
                text = f"fitted {step.label}" if step.label else step.stage
                bar.update(task, completed=step.done, total=step.total, description=text)

        yield update


def print_fits(report: RunReport) -> None:
    """What a batch of fits did, on stderr: the summary and every failure with its reason."""
    err.print(report.summary(), markup=False)
    for failure in report.failed:
        err.print(f"  failed: {failure.label}: {failure.reason}", markup=False)
