"""The `dataops` entry point: help without importing the heavy libraries, and a command table
that matches what the command modules register."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from cli import main

CLI = Path(main.__file__).parent
HEAVY = (
    "polars", "duckdb", "numpy", "pandas", "pyarrow", "scipy", "prophet", "pyspark", "cmdstanpy",
)  # fmt: skip


def command_modules() -> list[str]:
    return sorted(p.stem for p in CLI.glob("*.py") if "\ndef register(" in p.read_text())


@pytest.mark.parametrize("module", command_modules())
def test_every_registered_command_is_in_the_table_with_its_own_help(module):
    group = main.command_group(module)
    listed = {name for name, (owner, _) in main.COMMANDS.items() if owner == module}
    assert set(group.commands) == listed
    for name in listed:
        first_paragraph = " ".join(group.commands[name].help.split("\n\n")[0].split())
        assert first_paragraph.startswith(main.COMMANDS[name][1])


def loaded_after(*args: str) -> tuple[str, list[str]]:
    """Run `dataops ARGS` in a fresh interpreter: (stdout, heavy libraries it imported)."""
    script = (
        "import json, sys\n"
        f"sys.argv = ['dataops', *{list(args)!r}]\n"
        "from cli import main\n"
        "try:\n    main.run()\nexcept SystemExit:\n    pass\n"
        "print(json.dumps(sorted({m.split('.')[0] for m in sys.modules})))"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, cwd=CLI.parent
    )
    *lines, loaded = done.stdout.strip().splitlines()
    return "\n".join(lines), sorted(set(json.loads(loaded)) & set(HEAVY))


def test_help_lists_every_command_without_importing_a_heavy_library():
    out, heavy = loaded_after("--help")
    assert heavy == []
    for name in main.COMMANDS:
        assert f"  {name} " in out


@pytest.mark.parametrize(("args", "forbidden"), [(("forecast", "--help"), ("prophet", "pyspark"))])
def test_a_commands_help_imports_no_fitting_library(args, forbidden):
    out, heavy = loaded_after(*args)
    assert "--engine" in out and not set(heavy) & set(forbidden)


# A command that fits nothing starts quickly (docs/scaling.md has the figures): its --help
# imports none of the heavy libraries, and a command that only lists what the store holds
# imports DuckDB and Polars but never pyarrow, NumPy or a fitting library.
FITTING = {"pandas", "pyarrow", "numpy", "scipy", "prophet", "pyspark", "cmdstanpy"}
HELPS = sorted({(name, "--help") for name in main.COMMANDS} | {
    ("goal", "list", "--help"), ("checkin", "list", "--help"), ("access", "list", "--help"),
    ("source", "list", "--help"), ("goal", "set", "--help"),
})  # fmt: skip


@pytest.mark.parametrize("args", HELPS, ids=" ".join)
def test_a_commands_help_imports_no_heavy_library(args):
    out, heavy = loaded_after(*args)
    assert "--store" in out or "Commands" in out or "--horizon" in out
    assert heavy == []


@pytest.fixture
def listed_store(demo_store_copy) -> Path:
    """The demo company with a grant and a source, so every list below prints a table."""
    from metrics.access.grants import grant
    from metrics.sources.definitions import Source, SourceKind, Target, add_source
    from metrics.store.connection import open_store

    with open_store(demo_store_copy) as con:
        grant(con, "lead@example.com", "team_lead", ["promotions"], "test")
        add_source(con, Source("files", SourceKind.CSV, Target.TEAMS, "/nowhere/*.csv"), "test")
    return demo_store_copy


@pytest.mark.parametrize(
    ("args", "shows"),
    [
        (("goal", "list"), "goals"),
        (("goal", "list", "--format", "json"), '"goal":'),
        (("checkin", "list"), "check-ins"),
        (("access", "list"), "lead@example.com"),
        (("source", "list"), "files: csv -> teams"),
        (("export", "teams", "--out", "{tmp}/teams.csv"), "exported"),
    ],
    ids=lambda value: " ".join(value) if isinstance(value, tuple) else None,
)
def test_a_command_that_lists_the_store_imports_no_fitting_library(
    args, shows, listed_store, tmp_path
):
    args = (*(a.format(tmp=tmp_path) for a in args), "--store", str(listed_store))
    out, heavy = loaded_after(*args)
    assert shows in out
    assert set(heavy) & FITTING == set()


def test_calibration_of_a_goal_imports_no_fitting_library(demo_store_copy):
    from metrics.store.connection import open_store

    with open_store(demo_store_copy, read_only=True) as con:
        goal = con.execute("select goal from goals").fetchall()[0][0]
    out, heavy = loaded_after("calibration", "--goal", goal, "--store", str(demo_store_copy))
    assert f"goal {goal}" in out
    assert set(heavy) & FITTING == set()


def test_a_refresh_that_finds_nothing_changed_imports_no_fitting_library(demo_store_copy):
    """The nightly refresh of an unchanged store reads, compares hashes and stops: it must not
    pay for importing pandas, Prophet or Spark (about half a second)."""
    from forecasting.stand_in import StandInEngine
    from workflows.forecasts import refit_forecasts

    refit_forecasts(demo_store_copy, engine=StandInEngine())  # every series has its run
    out, heavy = loaded_after("forecast", "--store", str(demo_store_copy))
    assert "0 fitted" in out and "skipped (unchanged)" in out
    assert set(heavy) & {"pandas", "scipy", "prophet", "pyspark", "cmdstanpy"} == set()


def test_demo_help_shows_the_demo_companys_own_defaults():
    from cli import demo_command
    from metrics.demo import DemoConfig

    written = (demo_command.SEED, demo_command.TEAMS, demo_command.YEARS)
    assert written == (DemoConfig.seed, DemoConfig.teams, DemoConfig.years)
