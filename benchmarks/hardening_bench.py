"""Time and peak memory to refuse hostile input (issue 15), each in its own child process.

    .venv/bin/python benchmarks/hardening_bench.py

Every case runs the real `dataops` console script (or, for the app's upload, the function the
Data page calls) in a fresh child; its peak resident memory comes from `os.wait4`'s rusage of
that child alone, its time from the wall clock around it. The first rows are the floor: the
interpreter and a small valid import. Before the limits, the worst of these took 12.6-22.7 GB
and 18-75 s (see the issue); a refusal now should cost about what the floor costs.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATAOPS = str(Path(sys.executable).with_name("dataops"))
SAMPLES = ROOT / "data" / "samples"


def measure(command: list[str]) -> tuple[float, float, int, str]:
    """(seconds, peak MB, exit code, the first line said) of one child process."""
    started = time.perf_counter()
    child = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, cwd=ROOT)
    said = child.stdout.read().decode(errors="replace")
    _, status, usage = os.wait4(child.pid, 0)
    seconds = time.perf_counter() - started
    child.returncode = os.waitstatus_to_exitcode(status)
    lines = [line.strip(" -") for line in said.splitlines() if line.strip()] or [""]
    shown = lines[1] if len(lines) > 1 and lines[0].endswith("nothing was written") else lines[0]
    return seconds, usage.ru_maxrss / 1024, child.returncode, shown


def files(folder: Path) -> dict[str, Path]:
    wide = folder / "wide.csv"  # the 9.9 MB file of 10^6 columns
    wide.write_bytes(b"date,metric,team,value\n" + b",".join([b"12345678"] * 1_100_000) + b"\n")
    narrow_wide = folder / "columns.csv"  # many columns on short lines: the column limit
    narrow_wide.write_bytes(b"date,metric,team,value\n" + (b"1," * 2000 + b"1\n") * 500)
    sparse = folder / "sparse.csv"
    with sparse.open("wb") as handle:
        handle.truncate(2 * 1024**3)
    return {"wide": wide, "columns": narrow_wide, "sparse": sparse, "zero": Path("/dev/zero")}


def cases(folder: Path, store: Path) -> dict[str, list[str]]:
    f = files(folder)
    goal = ["goal", "set", "--goal", "g", "--metric", "gmv", "--method"]
    damaged = folder / "damaged.duckdb"
    damaged.write_bytes(store.read_bytes()[:5000])
    upload = (
        "from metrics.importing import parse_files;"
        "data = b'date,metric,team,value\\n' + b','.join([b'123456789'] * 400_000) + b'\\n';"
        "print(parse_files([('observations', 'upload.csv', data)]).problems[0])"
    )
    return {
        "floor: python -c pass": [sys.executable, "-c", "pass"],
        "floor: dataops --help": [DATAOPS, "--help"],
        "floor: import a valid teams file": [
            DATAOPS, "import", "teams", str(SAMPLES / "teams.csv"), "--replace",
            "--store", str(store),
        ],
        "import: 9.9 MB, 10^6 columns": [DATAOPS, "import", "observations", str(f["wide"])],
        "import: 2,000 columns x 500 rows": [DATAOPS, "import", "observations", str(f["columns"])],
        "import: sparse 2 GB file": [DATAOPS, "import", "observations", str(f["sparse"])],
        "import: /dev/zero": [DATAOPS, "import", "observations", str(f["zero"])],
        "upload: 3.9 MB, 4x10^5 columns": [sys.executable, "-c", upload],
        "goal set --tactics sparse 2 GB": [
            DATAOPS, *goal, "tactic", "--start", "2025-01-01", "--end", "2025-12-31",
            "--target", "1e9", "--tactics", str(f["sparse"]),
        ],
        "phase assign --file sparse 2 GB": [
            DATAOPS, "phase", "assign", "--goal", "g", "--file", str(f["sparse"]),
        ],
        "phase set --file /dev/zero": [
            DATAOPS, "phase", "set", "--goal", "g", "--file", "/dev/zero",
        ],
        "goal set 0001-01-01..9999-12-31": [
            DATAOPS, *goal, "even", "--start", "0001-01-01", "--end", "9999-12-31",
            "--target", "1e9",
        ],
        "goal list on a truncated store": [DATAOPS, "goal", "list", "--store", str(damaged)],
    }  # fmt: skip


def main() -> None:
    with tempfile.TemporaryDirectory() as folder_name:
        folder = Path(folder_name)
        store = folder / "store.duckdb"
        for kind in ("teams", "metrics", "observations"):
            subprocess.run(
                [DATAOPS, "import", kind, str(SAMPLES / f"{kind}.csv"), "--store", str(store)],
                check=True,
                capture_output=True,
            )
        env_store: Callable[[list[str]], list[str]] = lambda command: (  # noqa: E731
            command if "--store" in command or command[0] != DATAOPS or "--help" in command
            else [*command, "--store", str(store)]
        )  # fmt: skip
        print("Each case in a fresh child (seconds include ~2-3 s of interpreter and imports):")
        print(f"{'case':36} {'seconds':>8} {'peak MB':>8} {'exit':>5}  message")
        for name, command in cases(folder, store).items():
            seconds, peak, code, said = measure(env_store(command))
            print(f"{name:36} {seconds:8.2f} {peak:8.0f} {code:5d}  {said[:90]}")
        print("\nThe check alone, in this process (read within the limits, then size and shape):")
        for name, path in files(folder).items():
            print(f"  {name:8} {path.name:12} refused in {refusal_seconds(path) * 1000:8.1f} ms")


def refusal_seconds(path: Path) -> float:
    from cli.common import read_file
    from metrics.store.errors import DataopsError

    started = time.perf_counter()
    try:
        read_file(path)
    except DataopsError:
        return time.perf_counter() - started
    raise AssertionError(f"{path} was not refused")


if __name__ == "__main__":
    main()
