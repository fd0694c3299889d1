"""Options and output helpers shared by every command."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from metrics.store import DEFAULT_STORE

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
