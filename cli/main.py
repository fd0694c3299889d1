"""Entry point of the `dataops` console script.

Each command module registers its commands on `app`. User errors (`DataopsError`) become a plain
message and a non-zero exit; anything else is a bug, reported in one line unless DATAOPS_DEBUG=1.
"""

from __future__ import annotations

import importlib
import os
import sys

import typer

from cli.common import err
from cli.words import FLAGS
from metrics.store.errors import DataopsError

app = typer.Typer(
    name="dataops",
    help="Data Operations Cockpit: the store, forecasts, goals and reviews from the terminal.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


# Each module has `register(app)`; listed in the order `dataops --help` shows them.
COMMAND_MODULES: tuple[str, ...] = (
    "io_commands",
    "plan_commands",
    "phase_commands",
    "checkin_commands",
    "demo_command",
    "contribution_command",
    "forecast_commands",
    "calibration_command",
)


_registered: list[str] = []


def _register_commands() -> None:
    """Register each command module once, however often `run` is called (tests call it a lot)."""
    for name in COMMAND_MODULES:
        if name not in _registered:
            importlib.import_module(f"cli.{name}").register(app)
            _registered.append(name)


def run() -> None:
    _register_commands()
    try:
        app()
    except DataopsError as error:
        err.print(f"error: {error.say(FLAGS)}", markup=False)
        sys.exit(error.exit_code)
    except KeyboardInterrupt:
        err.print("interrupted; nothing more was written", markup=False)
        sys.exit(130)
    except Exception as error:  # a bug: say so in one line, keep the traceback for developers
        if os.environ.get("DATAOPS_DEBUG"):
            raise
        err.print(
            f"internal error: {type(error).__name__}: {error}. "
            "This is a bug; re-run with DATAOPS_DEBUG=1 and report the traceback",
            markup=False,
        )
        sys.exit(70)


if __name__ == "__main__":
    run()
