"""Contribution: each team's uplift above natural growth, against the shared goal.

Owns the measurement on sampled draws (`measurement`, `context`, `parts`, `queries`), exact
Shapley splits of ratio goals (`shapley`), initiative `attribution`, the report the pages and the
command line read (`report`, `teams`), a team's page queries (`team_queries`) and the review
`rollup` team -> department -> company. May import `metrics.store`, `metrics.forecasts`,
`metrics.plan`, `metrics.checks` and `metrics.stats`.
"""
