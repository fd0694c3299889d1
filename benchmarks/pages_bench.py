"""Each page's script time on the demo store and on a large store, and the peak memory.

    .venv/bin/python benchmarks/pages_bench.py [--large-teams 100] [--large-years 15]

Stores are built once into benchmarks/out/ (delete the folder to rebuild):
- demo: `dataops demo` as `make run` builds it (real Prophet baseline for its GMV goal);
- large: the same generator with many teams and years (several million observations) and a
  stand-in GMV baseline written the way the runner writes one (see contribution_bench.py), so
  the benchmark measures pages, not fitting.
Each store is measured in a fresh process: every page once cold (empty caches) and once warm
(a rerun, as when a user clicks), through Streamlit's AppTest, which runs the real scripts.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "benchmarks" / "out"
PAGES = (
    "overview", "review_meeting", "team_review", "goals", "phases", "forecasts", "data",
)  # fmt: skip
PAGE_FOLDER = "app_pages"


def build_demo(path: Path) -> None:
    if not path.exists():
        subprocess.run(
            [sys.executable, "-m", "cli.main", "demo", "--store", str(path)], check=True, cwd=ROOT
        )


def build_large(path: Path, teams: int, years: int) -> None:
    if path.exists():
        return
    from metrics.demo import DemoConfig
    from metrics.demo.baseline import freeze_planted_natural
    from metrics.store.connection import open_store, transaction
    from workflows.demo import build_demo_store

    scratch = path.with_suffix(".building")
    scratch.unlink(missing_ok=True)
    build_demo_store(scratch, DemoConfig(seed=11, teams=teams, years=years))
    with open_store(scratch) as con, transaction(con):
        freeze_planted_natural(con, seed=11)
    scratch.rename(path)


def measure(store: Path) -> dict:
    """Run in a fresh process: page -> (cold seconds, warm seconds), and the peak RSS."""
    os.environ["DATAOPS_STORE"] = str(store)
    from streamlit.testing.v1 import AppTest

    app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=900)
    started = time.perf_counter()
    app.run()
    timings = {"(entry)": [time.perf_counter() - started]}
    for page in PAGES:
        app.switch_page(f"{PAGE_FOLDER}/{page}.py")
        for _ in range(2):
            started = time.perf_counter()
            app.run()
            timings.setdefault(page, []).append(time.perf_counter() - started)
        if app.exception:
            timings[page].append(f"exception: {app.exception[0].value}")
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"timings": timings, "peak_mib": peak_mib}


def observations(store: Path) -> int:
    from metrics.store.connection import open_store

    with open_store(store, read_only=True) as con:
        return con.execute("select count(*) from observations").fetchall()[0][0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--large-teams", type=int, default=100)
    parser.add_argument("--large-years", type=int, default=15)
    parser.add_argument("--measure", type=Path, help=argparse.SUPPRESS)  # the child process
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure(args.measure)))
        return

    OUT.mkdir(parents=True, exist_ok=True)
    demo = OUT / "demo.duckdb"
    large = OUT / f"large_{args.large_teams}x{args.large_years}.duckdb"
    build_demo(demo)
    build_large(large, args.large_teams, args.large_years)
    for name, store in (("demo", demo), ("large", large)):
        child = subprocess.run(
            [sys.executable, __file__, "--measure", str(store)],
            check=True, capture_output=True, text=True, cwd=ROOT,
        )  # fmt: skip
        result = json.loads(child.stdout.strip().splitlines()[-1])
        size = store.stat().st_size / 2**20
        print(f"\n{name}: {store.name}, {observations(store):,} observations, {size:,.0f} MiB")
        print(f"  {'page':<16}{'cold s':>9}{'warm s':>9}")
        for page, values in result["timings"].items():
            numbers = [v for v in values if isinstance(v, float)]
            notes = [v for v in values if isinstance(v, str)]
            cells = "".join(f"{v:>9.2f}" for v in numbers)
            print(f"  {page:<16}{cells}  {' '.join(notes)}")
        print(f"  peak memory of the app process: {result['peak_mib']:,.0f} MiB")


if __name__ == "__main__":
    main()
