"""The forecast tables: reading frozen goal baselines and rolling forecasts, and writing runs.

Owns the named queries over `forecast_runs`, `forecasts`, the calibrated paths (the
`forecast_samples` view over `calibrations` and `calibration_draws`), backtest errors and
backtests (`reads`) and the rows a fit writes (`writes`). No Prophet here: `forecasting/` fits,
this package stores and serves. May import `metrics.store` and `metrics.stats` (the 80% z).
"""
