"""The review by e-mail: a goal's digest, who gets it, and alerts mailed once.

Owns what a digest says (`content`: built from the same `ContributionReport` the pages read,
worded by `metrics.contribution.wording`), how it is written out (`render`: text, HTML,
Markdown), which data arrives late (`lateness`), who receives which digest (`recipients`, a pure
rule over access grants), what was sent before (`history`) and the alert conditions with their
memory (`alerts`). Sending is `workflows.digest`. May import `metrics.store`, `metrics.plan`,
`metrics.contribution` and `metrics.checks`.
"""
