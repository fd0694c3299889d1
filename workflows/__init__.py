"""The steps a person takes, each once, for the pages and the command line to share.

A step (save a goal and fit its baseline, build the demo, refresh forecasts, sync sources, send a
digest) is a function taking the store's path and a progress callback and returning a frozen
dataclass that says what happened (saved, fitted, failed, with reasons). It opens the store only
for each unit of work and never while models fit. It raises `DataopsError` for refused input,
whose message names the problem and its fix in product terms; the CLI and the pages put the
outcome and any refusal into their own words (flag names, control names).

May import `metrics` and `forecasting` (lazily: Prophet is slow to load); never `ui`, `app_pages`
or `cli`.
"""
