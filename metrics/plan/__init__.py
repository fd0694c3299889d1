"""The plan: what was agreed and what teams report against it.

Owns goals, saving them and changing their months (`goals`, `edits`, `months`), the inputs of a
split (`inputs`), the goal-to-months `decomposition`, phases and shares (`phases`, `phase_math`,
`phase_review`), the plan CSV files (`files`), `pacing` and status, team `checkins`, and the
enums the command line declares options with (`kinds`: Method, Status). May import
`metrics.store`, `metrics.forecasts` (a goal's natural baseline) and `metrics.stats`; never
`contribution` or `checks`.
"""
