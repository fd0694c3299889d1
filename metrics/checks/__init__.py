"""Cooperation checks: pull-forward, cannibalisation and local win / global loss.

Owns the flags (`flags`), the probe windows they measure (`windows`), a series' own quiet-day
wobble (`wobble`) and how a shortfall is apportioned between overlapping culprits (`blame`).
Pure frame math: may import `metrics.stats` only; the report feeds it frames.
"""
