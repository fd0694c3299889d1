"""Query results as Polars frames, without pyarrow.

`relation.pl()` converts through pyarrow, whose import (with NumPy) costs a command about
0.15 s. DuckDB and Polars both speak the Arrow C stream interface, so the same frame (same
columns, types and rows) crosses over without it. Polars cannot yet read INTERVAL columns from
a stream: such a query keeps `.pl()`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import polars as pl

if TYPE_CHECKING:
    import duckdb


def frame(relation: duckdb.DuckDBPyRelation) -> pl.DataFrame:
    """The relation's rows as a Polars frame, as `relation.pl()` gives them."""
    return pl.DataFrame(relation)
