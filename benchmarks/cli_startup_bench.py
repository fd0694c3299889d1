"""How quickly `dataops` starts: help, each command's help, and commands that fit nothing.

    .venv/bin/python benchmarks/cli_startup_bench.py [--runs N]

Each case runs `dataops ...` in a fresh interpreter `--runs` times (default 7) and prints the
median wall time and the median CPU time (user + system) of the process. CPU time is the figure
to compare on a busy machine: wall time there mostly measures the wait for a core. The store
gets a grant, a source and its goal's frozen baseline first, so every list prints a table and
the contribution fits nothing. The last block lists the slowest imports of `dataops --help`
(`python -X importtime`).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from cli.main import COMMANDS  # noqa: E402 - the table itself imports nothing heavy

RUN = "import sys\nfrom cli.main import run\nsys.argv[0] = 'dataops'\nrun()\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        store, goal = small_store(Path(folder))
        cases = [
            ("dataops --help", dataops("--help")),
            *((f"dataops {name} --help", dataops(name, "--help")) for name in COMMANDS),
            ("dataops goal list (reads the store)", dataops("goal", "list", "--store", store)),
            ("dataops checkin list", dataops("checkin", "list", "--store", store)),
            (
                "dataops export teams",
                dataops("export", "teams", "--out", f"{folder}/t.csv", "--store", store),
            ),
            ("dataops access list", dataops("access", "list", "--store", store)),
            ("dataops source list", dataops("source", "list", "--store", store)),
            ("dataops calibration --goal G", dataops("calibration", "--goal", goal, *at(store))),
            (
                "dataops contribution --goal G (fits nothing)",
                dataops("contribution", "--goal", goal, "--format", "csv", "--store", store),
            ),
        ]
        print(f"{'case':48} {'wall s':>7} {'cpu s':>7}   (median of {args.runs})")
        for label, argv in cases:
            wall, cpu = timed(argv, args.runs)
            print(f"{label:48} {wall:7.2f} {cpu:7.2f}")
    print("\nslowest imports of `dataops --help` (cumulative, ms):")
    for micros, name in slowest_imports(dataops("--help")):
        print(f"  {micros / 1000:7.1f}  {name}")


def at(store: str) -> list[str]:
    return ["--store", store]


def dataops(*args: str) -> list[str]:
    return ["-c", RUN, *args]


def timed(argv: list[str], runs: int) -> tuple[float, float]:
    walls, cpus = [], []
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.perf_counter()
        subprocess.run([sys.executable, *argv], cwd=ROOT, capture_output=True, check=False)
        walls.append(time.perf_counter() - started)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    return statistics.median(walls), statistics.median(cpus)


def slowest_imports(argv: list[str], count: int = 12) -> list[tuple[int, str]]:
    done = subprocess.run(
        [sys.executable, "-X", "importtime", *argv], cwd=ROOT, capture_output=True, text=True
    )
    rows = []
    for line in done.stderr.splitlines():
        parts = line.removeprefix("import time:").split("|")
        if len(parts) == 3 and parts[1].strip().isdigit():
            rows.append((int(parts[1]), parts[2].rstrip()))
    return sorted(rows, reverse=True)[:count]


def small_store(folder: Path) -> tuple[str, str]:
    """A store with the demo's catalogue, a goal, a grant and a source (so each list prints a
    table), and the goal's baseline frozen once here, so the timed contribution fits nothing.
    Returns the store's path and the goal's id."""
    path = folder / "store.duckdb"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    build = (
        "import sys\nfrom pathlib import Path\n"
        "from tests.forecasting.factories import build_store\n"
        "build_store(Path(sys.argv[1]))\n"
    )
    subprocess.run([sys.executable, "-c", build, str(path)], cwd=ROOT, env=env, check=True)
    store = ["--store", str(path)]
    listed = [sys.executable, *dataops("goal", "list", "--format", "json", *store)]
    done = subprocess.run(listed, cwd=ROOT, capture_output=True, text=True, check=True)
    goal_id = json.loads(done.stdout)[0]["goal"]
    for args in (
        ("access", "grant", "lead@example.com", "--role", "owner"),
        ("source", "add", "files", "--kind", "csv", "--table", "teams", "--uri", "/none/*.csv"),
        ("contribution", "--goal", goal_id, "--format", "csv"),  # freezes the baseline: fits
    ):
        subprocess.run([sys.executable, *dataops(*args, *store)], cwd=ROOT, capture_output=True)
    return str(path), goal_id


if __name__ == "__main__":
    main()
