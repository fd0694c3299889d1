"""Calibrated uplift intervals on a family of generated companies: coverage, share within
tolerance, worst miss and median interval half-width, plus each real series' 90-day coverage.

    .venv/bin/python benchmarks/calibration_bench.py [--companies 12] [--first-seed 101]
        [--workers 2] [--no-real]

Each company (see tests/forecasting/family.py) is built, its goal metric's baseline frozen by
the real runner, and every team's uplift to date compared with what was planted: covered when
the 80% interval holds the truth, within tolerance when the miss is at most 20% of the truth plus
1.5% of the team's natural total to date.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # the family and the real-series loaders live with the tests

from tests.forecasting.family import measure, periods_frame, summarise  # noqa: E402
from tests.forecasting.real_series import REAL_CASES  # noqa: E402

REAL_DATA = ROOT.parent / "shared" / "data" / "real"


def family(companies: int, first_seed: int, workers: int) -> None:
    periods, started = [], time.perf_counter()
    with tempfile.TemporaryDirectory() as folder:
        for seed in range(first_seed, first_seed + companies):
            measured = measure(seed, Path(folder), workers=workers)
            periods += measured
            worst = max(p.miss for p in measured)
            covered, within = sum(p.covered for p in measured), sum(p.within for p in measured)
            print(f"  company {seed}: {len(measured)} teams, as of {measured[0].as_of}, covered "
                  f"{covered}, within {within}, worst miss {worst:.2%}", flush=True)  # fmt: skip
    print(f"\n{companies} companies (seeds {first_seed}..{first_seed + companies - 1}) in "
          f"{time.perf_counter() - started:.0f} s:")  # fmt: skip
    for line in summarise(periods).lines():
        print(f"  {line}")
    frame = periods_frame(periods)
    misses = frame.sort("miss", descending=True).head(3)
    print("  largest misses: " + "; ".join(
        f"{row['seed']}/{row['team']} {row['miss']:.2%}" for row in misses.iter_rows(named=True)
    ))  # fmt: skip


def real_coverage(horizon: int = 90) -> None:
    from forecasting.backtest import backtest_series

    print(f"\nreal series, last {horizon} days held out: daily coverage of the calibrated 80% band")
    for case in REAL_CASES:
        frame = case.frame(REAL_DATA).select(ds="day", y="y")
        result = backtest_series(frame, horizon, country=case.country)
        model, naive = result.model, result.seasonal_naive
        print(f"  {case.name:16s} coverage {model.coverage:5.0%}  "
              f"sMAPE {model.smape:6.2%} (seasonal-naive {naive.smape:6.2%})")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--companies", type=int, default=12)
    parser.add_argument("--first-seed", type=int, default=101)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--no-real", action="store_true")
    args = parser.parse_args()
    family(args.companies, args.first_seed, args.workers)
    if not args.no_real and REAL_DATA.exists():
        real_coverage()


if __name__ == "__main__":
    main()
