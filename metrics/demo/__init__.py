"""The seeded demo company: an e-commerce operations group with a planted truth to measure.

    data = generate(DemoConfig(seed=7, teams=5, years=3))   # pure: Polars frames, nothing written
    with open_store(path) as con:
        write_demo(con, data)                               # one transaction

`config` says what the company is made of, `natural` builds the series without operations work,
`initiatives` plants the campaigns' effects, `company` puts it together, `write` stores it,
`plan` is its goal and phases, `baseline` writes a stand-in natural baseline (no Prophet) for the
tests and benchmarks. May import `metrics.store`, `metrics.forecasts` (to write that stand-in)
and `metrics.plan`.
"""

from metrics.demo.company import DemoData, generate
from metrics.demo.config import DemoConfig, DemoConfigError
from metrics.demo.initiatives import EffectKind
from metrics.demo.write import StoreNotEmpty, write_demo

__all__ = [
    "DemoConfig",
    "DemoConfigError",
    "DemoData",
    "EffectKind",
    "StoreNotEmpty",
    "generate",
    "write_demo",
]
