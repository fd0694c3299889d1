"""The mechanism of the cockpit, with no UI: the store and the domain, one room per noun.

`store/` (the file, migrations, errors, catalogue, export, health), `forecasts/` (forecast tables),
`plan/` (goals, decomposition, phases, pacing, check-ins), `contribution/` (uplift, Shapley,
attribution, the report and rollup), `checks/` (cooperation flags), `importing/` (validated CSV
imports), `sources/` (warehouse and file sources, sync, freshness), `demo/` (the demo company),
`access/` (roles and the one permission check every write passes) and `stats.py` (shared
numerical tools). Each subpackage's docstring says what it may import; `tests/test_layering.py`
holds the table. Never imports streamlit, prophet or pandas.
"""
