"""Running the console script in-process, as every CLI test does."""

from __future__ import annotations

import sys

from cli import main


def run_dataops(monkeypatch, capture, *args) -> tuple[int, str | bytes, str | bytes]:
    """`dataops ARGS` in this process: (exit code, stdout, stderr) as `capture` (pytest's
    capsys or capsysbinary) read them; a non-integer exit (a message) counts as 1."""
    monkeypatch.setattr(sys, "argv", ["dataops", *map(str, args)])
    code = 0
    try:
        main.run()
    except SystemExit as exited:
        code = exited.code if isinstance(exited.code, int) else 1
    out, err = capture.readouterr()
    return code, out, err
