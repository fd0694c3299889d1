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
HEAVY = ("polars", "duckdb", "numpy", "pandas", "pyarrow", "scipy", "prophet", "pyspark")


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
