"""The store: one DuckDB file and what every other room stands on.

Owns opening and closing the file per unit of work (`connection`), the ordered schema
`migrations`, the user-facing errors (`errors`), the catalogue of teams and metrics (`catalog`),
the default market calendar (`calendar`), formula-safe CSV export (`export`), data health
(`health`), and the default file and exportable tables, named without DuckDB (`names`). Imports
nothing of ours: every other subpackage may import it.
"""
