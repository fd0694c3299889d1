"""What an attacker or a careless user hands `dataops`: oversized files, damaged or unusual
stores, impossible paths and options. Each is refused with a plain message and its fix, exit
non-zero, no traceback and no "internal error", and the store is exactly as it was (or, for a
missing store, still missing). Memory and time to refuse: benchmarks/hardening_bench.py."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.cli.running import run_dataops
from tests.damaged_stores import empty, folder, garbled, text, truncated

SAMPLES = Path(__file__).resolve().parents[2] / "data" / "samples"


@pytest.fixture
def dataops(monkeypatch, capsys):
    """Run `dataops ARGS` in-process; (exit code, stdout + stderr), never a traceback."""

    def run(*args: str | Path) -> tuple[int, str]:
        code, out, err = run_dataops(monkeypatch, capsys, *args)
        said = out + err
        assert "Traceback" not in said and "internal error" not in said, said
        return code, said

    return run


@pytest.fixture
def store(tmp_path, dataops) -> Path:
    """A store with the sample teams, metrics and observations."""
    path = tmp_path / "store.duckdb"
    for kind in ("teams", "metrics", "observations"):
        assert dataops("import", kind, SAMPLES / f"{kind}.csv", "--store", path)[0] == 0
    return path


def fingerprint(path: Path) -> str | None:
    """The store's bytes (and its log's), or None when there is nothing at `path`."""
    if not path.exists():
        return None
    if path.is_dir():
        return "folder:" + ",".join(sorted(p.name for p in path.iterdir()))
    digest = hashlib.sha256(path.read_bytes())
    wal = path.with_name(path.name + ".wal")
    digest.update(wal.read_bytes() if wal.exists() else b"")
    return digest.hexdigest()


# --- oversized input files -------------------------------------------------------------------


def wide_csv(path: Path) -> Path:
    path.write_text("date,metric,team,value\n" + ",".join(["1"] * 5000) + "\n")
    return path


def long_line_csv(path: Path) -> Path:
    path.write_text("date,metric,team,value\n2025-01-01,gmv,growth," + "9" * 100_000 + "\n")
    return path


def sparse_csv(path: Path) -> Path:
    with path.open("wb") as handle:
        handle.truncate(2 * 1024**3)  # 2 GB that take no disk
    return path


def dev_zero(_: Path) -> Path:
    return Path("/dev/zero")


FILES = {
    "10^5 columns": (wide_csv, "5,000 fields, more than the 100"),
    "a 100 kB line": (long_line_csv, "bytes or longer, more than the 65,536"),
    "a sparse 2 GB file": (sparse_csv, "larger than 200 MB"),
    "/dev/zero": (dev_zero, "binary data (NUL bytes)"),
}
COMMANDS = {
    "import observations": lambda f, s: ["import", "observations", f, "--store", s],
    "goal set --tactics": lambda f, s: [
        "goal",
        "set",
        "--goal",
        "g",
        "--metric",
        "gmv",
        "--start",
        "2025-01-01",
        "--end",
        "2025-12-31",
        "--target",
        "1e9",
        "--method",
        "tactic",
        "--tactics",
        f,
        "--store",
        s,
    ],
    "phase set --file": lambda f, s: ["phase", "set", "--goal", "g", "--file", f, "--store", s],
    "phase assign --file": lambda f, s: [
        "phase",
        "assign",
        "--goal",
        "g",
        "--file",
        f,
        "--store",
        s,
    ],
}


@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize("file", FILES)
def test_an_oversized_file_is_refused_before_it_is_parsed(dataops, store, tmp_path, file, command):
    make, expected = FILES[file]
    before = fingerprint(store)

    code, said = dataops(*COMMANDS[command](make(tmp_path / "input.csv"), store))

    assert code != 0
    assert expected in said and "Fix:" in said
    assert fingerprint(store) == before


def test_the_limits_are_set_from_the_environment(dataops, store, tmp_path, monkeypatch):
    monkeypatch.setenv("DATAOPS_MAX_COLUMNS", "3")
    before = fingerprint(store)
    code, said = dataops("import", "observations", SAMPLES / "observations.csv", "--store", store)
    assert code == 2 and "4 fields, more than the 3" in said
    assert fingerprint(store) == before


# --- damaged and unusual stores --------------------------------------------------------------


STORES = {
    "truncated": (truncated, "is damaged", "restore it from a backup"),
    "garbled": (garbled, "is damaged", "restore it from a backup"),
    "text": (text, "is not a DuckDB store", "point the cockpit at the store file"),
    "empty": (empty, "is not a DuckDB store", "point the cockpit at the store file"),
    "a folder": (folder, "is a folder, not a DuckDB store file", "the .duckdb file inside"),
}
STORE_COMMANDS = {
    "goal list": lambda s, tmp: ["goal", "list", "--store", s],
    "export": lambda s, tmp: ["export", "teams", "--out", tmp / "teams.csv", "--store", s],
    "import": lambda s, tmp: ["import", "teams", SAMPLES / "teams.csv", "--store", s],
    "checkin add": lambda s, tmp: [
        "checkin",
        "add",
        "--team",
        "growth",
        "--goal",
        "g",
        "--status",
        "on_track",
        "--store",
        s,
    ],
}


@pytest.mark.parametrize("command", STORE_COMMANDS)
@pytest.mark.parametrize("damage", STORES)
def test_a_damaged_or_unusual_store_is_named_with_its_fix(
    dataops, store, tmp_path, damage, command
):
    spoil, meaning, fix = STORES[damage]
    spoil(store)
    before = fingerprint(store)

    code, said = dataops(*STORE_COMMANDS[command](store, tmp_path))

    assert code == 5
    assert f"the store {store} {meaning}" in said and fix in said
    assert fingerprint(store) == before
    assert not (tmp_path / "teams.csv").exists()


@pytest.fixture
def read_only(store):
    """The store made unwritable: chmod for a normal user; root ignores that, so the file is
    made immutable (chattr +i) instead; skipped where neither holds."""
    if os.geteuid() != 0:
        store.chmod(0o444)
        yield store
        store.chmod(0o644)
        return
    if not shutil.which("chattr") or subprocess.run(["chattr", "+i", store]).returncode:
        pytest.skip("running as root on a file system without chattr +i: nothing is read-only")
    try:
        yield store
    finally:
        subprocess.run(["chattr", "-i", store], check=True)


def test_a_read_only_store_is_read_and_a_write_is_refused_plainly(dataops, read_only):
    before = fingerprint(read_only)

    code, said = dataops("import", "teams", SAMPLES / "teams.csv", "--store", read_only)
    assert code == 5 and "read-only" in said and "Fix:" in said
    code, said = dataops("goal", "list", "--store", read_only)
    assert code == 0, said  # reading needs no write access

    assert fingerprint(read_only) == before


# --- paths and options -----------------------------------------------------------------------


def test_a_refused_command_on_a_missing_store_creates_nothing(dataops, tmp_path):
    missing = tmp_path / "new" / "deeper" / "store.duckdb"
    code, said = dataops(
        "goal", "set", "--goal", "g", "--metric", "gmv", "--start", "2025-01-01", "--end",
        "2025-12-31", "--target", "1e9", "--method", "even", "--store", missing,
    )  # fmt: skip
    assert code != 0 and "is not a known metric" in said
    assert not (tmp_path / "new").exists()


@pytest.mark.parametrize(
    ("out", "expected"),
    [
        (lambda tmp: tmp, "is a folder. Fix: name a file"),
        (lambda tmp: tmp / "a-file" / "teams.csv", "cannot write"),
    ],
    ids=["a folder", "under a file"],
)
def test_export_to_an_impossible_path_is_refused_plainly(dataops, store, tmp_path, out, expected):
    (tmp_path / "a-file").write_text("in the way")
    before = fingerprint(store)
    code, said = dataops("export", "teams", "--out", out(tmp_path), "--store", store)
    assert code == 1 and expected in said and "Fix:" in said
    assert fingerprint(store) == before


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        (["--seed", "-1"], "seed -1: expected a whole number"),
        (["--seed", str(2**32)], "expected a whole number from 0"),
        (["--teams", "0"], "0 teams: expected 2 to"),
    ],
)
def test_impossible_demo_options_are_refused_and_create_nothing(
    dataops, tmp_path, options, expected
):
    store = tmp_path / "demo" / "store.duckdb"
    code, said = dataops("demo", "--no-forecast", "--store", store, *options)
    assert code == 1 and expected in said and "Fix:" in said
    assert not store.exists() and list(tmp_path.iterdir()) in ([], [tmp_path / "demo"])


@pytest.mark.parametrize(
    ("start", "end", "target", "expected"),
    [
        ("0001-01-01", "9999-12-31", "1e9", "longer than 5 years"),
        ("2020-01-01", "2025-12-31", "1e9", "longer than 5 years"),
        ("1990-01-01", "1990-12-31", "1e9", "starts before the data"),
        ("2025-01-01", "2025-12-31", "0", "is not positive"),
    ],
)
def test_an_absurd_goal_is_refused_at_once(dataops, store, start, end, target, expected):
    before = fingerprint(store)
    code, said = dataops(
        "goal", "set", "--goal", "g", "--metric", "gmv", "--start", start, "--end", end,
        "--target", target, "--method", "even", "--store", store,
    )  # fmt: skip
    assert code != 0 and expected in said and "Fix" in said
    assert fingerprint(store) == before
