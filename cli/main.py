"""Entry point of the `dataops` console script.

Each command module registers its commands on a Typer app with `register(app)`. The top-level
group is lazy: `dataops --help` lists the commands from `COMMANDS` below without importing any
command module, and `dataops NAME ...` imports only the module that owns NAME. That keeps the
start quick (Prophet, Polars, DuckDB and SciPy are imported by the commands that use them;
benchmarks/cli_startup_bench.py measures it). User errors (`DataopsError`) become a plain
message and a non-zero exit; anything else is a bug, reported in one line unless DATAOPS_DEBUG=1.
"""

from __future__ import annotations

import importlib
import os
import sys
from collections.abc import Iterator, Mapping

import typer
from typer.core import TyperCommand, TyperGroup

HELP = "Data Operations Cockpit: the store, forecasts, goals and reviews from the terminal."

# Command name -> (module in cli/ that registers it, the first sentence of its help), in the
# order `dataops --help` lists them. tests/cli/test_main.py checks it against the modules.
COMMANDS: dict[str, tuple[str, str]] = {
    "import": (
        "io_commands",
        "Import a CSV file: every row is checked first, and a refused file changes nothing.",
    ),
    "export": (
        "io_commands",
        "Export a table as CSV that is safe to open in a spreadsheet (formulas neutralised).",
    ),
    "demo": (
        "demo_command",
        "Build the demo e-commerce company: teams, metrics, daily history, initiatives, and a "
        "current-year goal with its natural baseline, phases, assignments and check-ins, and "
        "every series' rolling forecast.",
    ),
    "contribution": (
        "contribution_command",
        "Each team's contribution above natural growth to a goal, with pace, landing and flags.",
    ),
    "forecast": (
        "forecast_commands",
        "Fit natural growth: a goal's frozen baseline, or every series' forecast 90 days ahead.",
    ),
    "backtest": (
        "forecast_commands",
        "Hold out the last --horizon days of a daily series, fit on the rest, and compare the "
        "natural model with seasonal-naive (MAPE, sMAPE, and the model's interval coverage).",
    ),
    "calibration": (
        "calibration_command",
        "Per series of the goal's frozen baseline: the 80% interval's half-width (share of the "
        "period's natural total)",
    ),
    "goal": ("plan_commands", "Agree a goal and split it into monthly targets."),
    "phase": ("phase_commands", "Phases, main tasks and each team's share of the gap."),
    "checkin": ("checkin_commands", "Teams report status and problems."),
    "access": (
        "access_commands",
        "Who may do what: roles kept in the store.",
    ),
    "sync": (
        "source_commands",
        "Read what is new in each source (and a restatement window before it), validate it like "
        "`dataops import` and write each source's batch whole or not at all.",
    ),
    "refresh": (
        "source_commands",
        "Sync every source and refit the forecasts of what changed; cron-safe (one at a time).",
    ),
    "source": (
        "source_commands",
        "Where the store fills itself from.",
    ),
    "digest": (
        "digest_command",
        "The goal's digest: headline, each team's uplift, status and what changed since the last "
        "digest sent, cooperation flags, late data, and a link to each team's page.",
    ),
    "alerts": (
        "digest_command",
        "What crossed a threshold since the last run (a team turned off track, a new "
        "pull-forward or cannibalisation flag, late data).",
    ),
}


def command_group(module: str) -> TyperGroup:
    """The group of everything one command module registers (built once per process)."""
    if module not in _groups:
        app = typer.Typer(
            add_completion=False, pretty_exceptions_enable=False, rich_markup_mode=None
        )
        importlib.import_module(f"cli.{module}").register(app)
        _groups[module] = typer.main.get_group(app)
    return _groups[module]


_groups: dict[str, TyperGroup] = {}


class _Commands(Mapping):
    """COMMANDS' names, each command built from its module on first use."""

    def __getitem__(self, name: str):
        module = COMMANDS[name][0]
        command = command_group(module).commands.get(name)
        if command is None:
            raise KeyError(f"cli.{module} registers no command {name!r} (see COMMANDS)")
        return command

    def __iter__(self) -> Iterator[str]:
        return iter(COMMANDS)

    def __len__(self) -> int:
        return len(COMMANDS)


class LazyGroup(TyperGroup):
    """`dataops`: lists commands from COMMANDS and imports a command's module only to run it
    (or to show its own help)."""

    def format_commands(self, ctx, formatter) -> None:
        limit = formatter.width - 6 - max(len(name) for name in COMMANDS)
        rows = [
            (name, TyperCommand(name=name, help=summary).get_short_help_str(limit))
            for name, (_, summary) in COMMANDS.items()
        ]
        with formatter.section("Commands"):
            formatter.write_dl(rows)


cli = LazyGroup(
    name="dataops", help=HELP, commands=_Commands(), no_args_is_help=True, rich_markup_mode=None
)


def run() -> None:
    try:
        cli.main(prog_name="dataops")
    except KeyboardInterrupt:
        _say("interrupted; nothing more was written")
        sys.exit(130)
    except Exception as error:
        from metrics.store.errors import DataopsError  # here: the store layer imports Polars

        if isinstance(error, DataopsError):
            from cli.words import FLAGS

            _say(f"error: {error.say(FLAGS)}")
            sys.exit(error.exit_code)
        if os.environ.get("DATAOPS_DEBUG"):
            raise
        # A bug: say so in one line, keep the traceback for developers.
        _say(
            f"internal error: {type(error).__name__}: {error}. "
            "This is a bug; re-run with DATAOPS_DEBUG=1 and report the traceback"
        )
        sys.exit(70)


def _say(text: str) -> None:
    from cli.common import err

    err.print(text, markup=False)


if __name__ == "__main__":
    run()
