"""Building the demo company: the default demo and a large one for benchmarks.

    .venv/bin/python benchmarks/demo_bench.py [--large-teams N] [--years N] [--seed N]

Builds each store in a temporary folder with `workflows.demo.build_demo_store` (generate,
write in one transaction, rename into place) and prints the time of each step, the total, the
rows written and the file size. The large company (500 teams x 3 years by default) holds well
over 3 million observations, plus as many rows of planted natural truth.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from metrics.demo import DemoConfig
from workflows.demo import build_demo_store


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--large-teams", type=int, default=500)
    parser.add_argument("--years", type=int, default=3)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    sizes = {"default": DemoConfig(seed=args.seed, years=args.years)}
    sizes["large"] = DemoConfig(seed=args.seed, teams=args.large_teams, years=args.years)
    with tempfile.TemporaryDirectory() as folder:
        for label, config in sizes.items():
            run(Path(folder) / f"{label}.duckdb", label, config)


def run(path: Path, label: str, config: DemoConfig) -> None:
    marks: list[tuple[str, float]] = []
    summary = build_demo_store(
        path, config, progress=lambda s: marks.append((s, time.perf_counter()))
    )
    ends = [at for _, at in marks[1:]] + [time.perf_counter()]
    steps = "; ".join(
        f"{step} {end - at:.1f} s" for (step, at), end in zip(marks, ends, strict=True)
    )
    print(
        f"{label}: {config.teams} teams x {config.days:,} days, "
        f"{summary.observations:,} observations, {summary.initiatives:,} initiatives\n"
        f"  built in {summary.seconds:.1f} s ({summary.observations / summary.seconds:,.0f} "
        f"observations/s; {steps}), file {summary.size_bytes / 1e6:,.1f} MB"
    )


if __name__ == "__main__":
    main()
