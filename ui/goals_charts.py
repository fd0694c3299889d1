"""The Goals page's chart: each month's target against its natural baseline.

No background or text colours are set, so the Streamlit theme (light or dark) applies; bar
colours are from the Okabe-Ito palette, which colour-blind readers can tell apart, and months set
by hand are hatched as well as named in the hover, so colour is never the only signal.
"""

from __future__ import annotations

import plotly.graph_objects as go
import polars as pl

TARGET_COLOUR = "#0072B2"  # Okabe-Ito blue
NATURAL_COLOUR = "#E69F00"  # Okabe-Ito orange


def monthly_targets_chart(table: pl.DataFrame, unit: str, *, ratio: bool = False) -> go.Figure:
    """Grouped bars per month. `table`: month (YYYY-MM), natural (may be null), target,
    set_by_hand, as `ui.goals_view.preview_table` gives."""
    months = table["month"].to_list()
    hand = table["set_by_hand"].fill_null(False).to_list()
    number = ".2%" if ratio else ",.0f"
    figure = go.Figure()
    if table["natural"].null_count() < table.height:
        figure.add_bar(
            x=months,
            y=table["natural"].to_list(),
            name="Natural baseline",
            marker_color=NATURAL_COLOUR,
            hovertemplate=f"%{{x}}<br>natural %{{y:{number}}} {unit}<extra></extra>",
        )
    figure.add_bar(
        x=months,
        y=table["target"].to_list(),
        name="Monthly target",
        marker_color=TARGET_COLOUR,
        marker_pattern_shape=["/" if by_hand else "" for by_hand in hand],
        customdata=["set by hand" if by_hand else "from the method" for by_hand in hand],
        hovertemplate=f"%{{x}}<br>target %{{y:{number}}} {unit}<br>%{{customdata}}<extra></extra>",
    )
    figure.update_layout(
        barmode="group",
        margin={"l": 10, "r": 10, "t": 30, "b": 10},
        legend={"orientation": "h", "y": 1.12},
        # "B" writes billions as B (not SI's G), the way the rest of the cockpit writes them
        yaxis={
            "title": unit or None,
            "tickformat": ".1%" if ratio else None,
            "exponentformat": "B",
        },
        xaxis={"type": "category"},
        height=340,
    )
    return figure
