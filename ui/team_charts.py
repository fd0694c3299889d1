"""Plotly figures of the Team review page.

Colours come from the Okabe-Ito palette (safe for the common colour-vision deficiencies) and
only mark data; backgrounds, text and grid are left to `theme="streamlit"`, so the charts read
in light and dark themes alike.
"""

from __future__ import annotations

import datetime as dt

import plotly.graph_objects as go
import polars as pl

from metrics.store.catalog import Metric, MetricKind

ACTUAL = "#0072B2"  # blue
NATURAL = "#E69F00"  # orange
NATURAL_BAND = "rgba(230, 159, 0, 0.22)"
INITIATIVE_BAND = "rgba(0, 158, 115, 0.14)"  # bluish green, faint: context, not data
_CURRENCY = {"CNY": "¥", "RMB": "¥", "USD": "$", "EUR": "€", "GBP": "£"}


def team_vs_natural_figure(
    frame: pl.DataFrame,
    windows: pl.DataFrame,
    *,
    metric: Metric,
    team_name: str,
    as_of: dt.date,
    per: str,
) -> go.Figure:
    """The team's actual against its natural baseline and the baseline's interval.

    `frame`: period, actual, natural, natural_lower, natural_upper (`team_queries.
    team_vs_natural`). `windows`: initiative, name, start_day, end_day, shaded behind the lines.
    `per`: the bucket's name for the axis ("day" or "week").
    """
    periods = frame["period"].to_list()
    figure = go.Figure()
    figure.add_trace(
        go.Scatter(x=periods, y=frame["natural_upper"].to_list(), mode="lines",
                   line={"width": 0}, hoverinfo="skip", showlegend=False)
    )  # fmt: skip
    figure.add_trace(
        go.Scatter(x=periods, y=frame["natural_lower"].to_list(), mode="lines",
                   line={"width": 0}, fill="tonexty", fillcolor=NATURAL_BAND,
                   name="natural growth: 80% interval", hoverinfo="skip")
    )  # fmt: skip
    figure.add_trace(
        go.Scatter(x=periods, y=frame["natural"].to_list(), mode="lines",
                   line={"color": NATURAL, "dash": "dash"}, name="natural growth")
    )  # fmt: skip
    figure.add_trace(
        go.Scatter(x=periods, y=frame["actual"].to_list(), mode="lines",
                   line={"color": ACTUAL, "width": 2}, name=f"{team_name}: actual")
    )  # fmt: skip
    for window in windows.iter_rows(named=True):
        figure.add_vrect(
            x0=window["start_day"], x1=window["end_day"] + dt.timedelta(days=1),
            fillcolor=INITIATIVE_BAND, line_width=0, layer="below",
            annotation_text=window["name"] or window["initiative"],
            annotation_position="top left", annotation_font_size=10,
        )  # fmt: skip
    figure.add_vline(x=as_of, line_dash="dot", line_width=1)
    figure.update_layout(
        height=380,
        margin={"l": 10, "r": 10, "t": 30, "b": 10},
        hovermode="x unified",
        legend={"orientation": "h", "y": -0.15},
        yaxis_title=axis_title(metric, per),
        yaxis_tickformat=".2%" if metric.unit == "%" else "~s",
        yaxis_tickprefix=_CURRENCY.get(metric.unit.upper(), ""),
    )
    return figure


def axis_title(metric: Metric, per: str) -> str:
    """'GMV per day (CNY), weekly average' and the like: what one point of the line means."""
    unit = f" ({metric.unit})" if metric.unit else ""
    if metric.kind is MetricKind.RATIO:
        return f"{metric.name}{unit}, by {per}"
    average = ", weekly average" if per == "week" else ""
    return f"{metric.name} per day{unit}{average}"
