"""Natural growth: the only package that imports Prophet and pandas (frames in and out are Polars).

calendar (market calendar -> regressor columns), masking (initiative days left out), model (one
fit), selection (settings per series on training days), scoring and backtest, jobs/pool (one
series' work and the process pool), inputs/runner/writes (against the store), report.
"""
