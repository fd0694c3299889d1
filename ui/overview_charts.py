"""The Overview's charts and the frames they draw: the running actual against target and
natural baseline (with the baseline's interval), and the waterfall from natural growth through
each team's uplift to the actual and the target.

Colours are the Okabe-Ito palette (safe for colour-blind readers); every series also differs
by line style or pattern and is named in the legend. Backgrounds and text are left to the
Streamlit theme, so the charts read in light and dark mode alike.
"""

from __future__ import annotations

import datetime as dt

import plotly.graph_objects as go
import polars as pl

from metrics.contribution.report import ContributionReport
from metrics.store.catalog import MetricKind
from ui.overview_view import unit_affixes, value_text

BLUE, ORANGE, SKY, GREEN, VERMILION, GREY = (
    "#0072B2", "#E69F00", "#56B4E9", "#009E73", "#D55E00", "#999999",
)  # fmt: skip
BAND = "rgba(86, 180, 233, 0.25)"  # SKY, translucent

# step -> legend name, colour, bar pattern
STEP_STYLES = {
    "natural": ("Natural baseline", GREY, ""),
    "gain": ("Uplift added", GREEN, ""),
    "loss": ("Uplift lost", VERMILION, ""),
    "actual": ("Actual", BLUE, ""),
    "shortfall": ("Shortfall to target", VERMILION, "/"),
    "surplus": ("Ahead of target", GREEN, "/"),
    "target": ("Target to date", ORANGE, ""),
}


def running_label(report: ContributionReport) -> str:
    """What the running chart's y values are: sums for flows, running averages or ratios."""
    name = report.metric.name or report.metric.metric
    return {
        MetricKind.FLOW: f"Cumulative {name} since {report.goal.start_day}",
        MetricKind.LEVEL: f"Average {name} per day since {report.goal.start_day}",
        MetricKind.RATIO: f"{name} since {report.goal.start_day}",
    }[report.metric.kind]


def waterfall_frame(report: ContributionReport, max_teams: int = 12) -> pl.DataFrame:
    """From the natural baseline to date through each team's uplift to the actual, then the gap
    to the target to date (when the target is known).

    Columns: label, step (natural, uplift, actual, shortfall, surplus, target), start, end,
    text (the step's amount in the goal's unit). Beyond `max_teams` the smallest uplifts are
    one "N other teams" step, so the bars stay readable and still add up.
    """
    c = report.company
    teams = _biggest(report.teams.select("team", "uplift"), max_teams)
    ends = c.natural_to_date + teams["uplift"].cum_sum()
    steps = [
        _steps(["Natural baseline"], "natural", [0.0], [c.natural_to_date]),
        _steps(teams["team"], "uplift", ends - teams["uplift"], ends),
        _steps(["Actual"], "actual", [0.0], [c.actual_to_date]),
    ]
    if c.target_to_date is not None:
        remaining = c.target_to_date - c.actual_to_date
        short = remaining > 0 if report.metric.higher_is_better else remaining < 0
        label, step = GAP_STEPS[short]
        steps.append(_steps([label], step, [c.actual_to_date], [c.target_to_date]))
        steps.append(_steps(["Target to date"], "target", [0.0], [c.target_to_date]))
    frame = pl.concat(steps)
    text = [_step_text(report, *row) for row in frame.select("step", "start", "end").rows()]
    return frame.with_columns(text=pl.Series(text, dtype=pl.String))


TOTAL_STEPS = ("natural", "actual", "target")
GAP_STEPS = {True: ("Shortfall to target", "shortfall"), False: ("Ahead of target", "surplus")}


def _step_text(report: ContributionReport, step: str, start: float, end: float) -> str:
    """Totals as values, uplifts signed, the gap as how far short (or ahead) of target."""
    if step in TOTAL_STEPS:
        return value_text(report, end)
    if step == "uplift":
        return ("+" if end >= start else "") + value_text(report, end - start)
    return f"{value_text(report, abs(end - start))} {'short' if step == 'shortfall' else 'ahead'}"


TOTAL_STEPS = ("natural", "actual", "target")


def _biggest(teams: pl.DataFrame, most: int) -> pl.DataFrame:
    """Teams by uplift, largest first; beyond `most` rows the smallest |uplift| are summed."""
    teams = teams.sort("uplift", descending=True)
    if teams.height <= most:
        return teams
    keep = teams.sort(pl.col("uplift").abs(), descending=True).head(most - 1)
    rest = teams.join(keep, on="team", how="anti")
    other = pl.DataFrame({"team": [f"{rest.height} other teams"], "uplift": [rest["uplift"].sum()]})
    return pl.concat([keep.sort("uplift", descending=True), other])


def _steps(labels, step: str, starts, ends) -> pl.DataFrame:
    return pl.DataFrame(
        {"label": labels, "start": starts, "end": ends},
        schema={"label": pl.String, "start": pl.Float64, "end": pl.Float64},
    ).select("label", step=pl.lit(step), start="start", end="end")


def axis_style(unit: str, kind: str) -> dict:
    """Tick format for the goal metric: percent for ratios, else its unit around the number."""
    if kind == "ratio" or unit == "%":
        return {"tickformat": ".2%"}
    prefix, suffix = unit_affixes(unit)
    return {"tickprefix": prefix, "ticksuffix": suffix, "exponentformat": "B"}


def running_chart(
    running: pl.DataFrame, band: pl.DataFrame, as_of: dt.date, title: str, axis: dict
) -> go.Figure:
    """`running`: day, actual_to_date, natural_to_date, target_to_date. `band`: day, lower,
    upper (the natural baseline's interval; may be empty)."""
    figure = go.Figure()
    if not band.is_empty():
        days = band["day"].to_list()
        figure.add_scatter(
            x=days + days[::-1],
            y=band["upper"].to_list() + band["lower"].to_list()[::-1],
            fill="toself", fillcolor=BAND, line={"width": 0}, hoverinfo="skip",
            name="Natural baseline, 80% interval (month ends)",
        )  # fmt: skip
    lines = (
        ("target_to_date", "Target", ORANGE, "dash"),
        ("natural_to_date", "Natural baseline", SKY, "dot"),
        ("actual_to_date", "Actual", BLUE, "solid"),
    )
    for column, name, colour, dash in lines:
        figure.add_scatter(
            x=running["day"].to_list(), y=running[column].to_list(), name=name, mode="lines",
            line={"color": colour, "dash": dash, "width": 3 if column == "actual_to_date" else 2},
        )  # fmt: skip
    figure.add_shape(
        type="line", x0=as_of, x1=as_of, y0=0, y1=1, yref="paper",
        line={"color": GREY, "dash": "dashdot", "width": 1},
    )  # fmt: skip
    figure.add_annotation(
        x=as_of, y=1, yref="paper", text=f"as of {as_of}", showarrow=False, yanchor="bottom"
    )
    figure.update_layout(
        yaxis={"title": title, **axis}, hovermode="x unified",
        legend={"orientation": "h", "y": -0.15}, margin={"t": 30},
    )  # fmt: skip
    return figure


def waterfall_chart(steps: pl.DataFrame, axis: dict) -> go.Figure:
    """`steps`: label, step, start, end, text (see `ui.overview_view.waterfall_frame`).

    Bars float from `start` to `end`. The axis starts near the smallest bar top, not at zero:
    uplifts are small next to the baseline, and at zero they would not be seen at all.
    """
    styled = steps.with_columns(
        style=pl.when(pl.col("step") != "uplift")
        .then("step")
        .when(pl.col("end") >= pl.col("start"))
        .then(pl.lit("gain"))
        .otherwise(pl.lit("loss"))
    )
    figure = go.Figure()
    for style, (name, colour, pattern) in STEP_STYLES.items():
        part = styled.filter(style=style)
        if part.is_empty():
            continue
        figure.add_bar(
            x=part["label"].to_list(), base=part["start"].to_list(),
            y=(part["end"] - part["start"]).to_list(), text=part["text"].to_list(),
            textposition="outside", name=name, hovertemplate="%{x}: %{text}<extra></extra>",
            marker={"color": colour, "pattern": {"shape": pattern}},
        )  # fmt: skip
    figure.update_layout(
        barmode="overlay", yaxis={"range": _range(steps), **axis},
        xaxis={"categoryorder": "array", "categoryarray": steps["label"].to_list()},
        legend={"orientation": "h", "y": -0.25}, margin={"t": 30},
    )  # fmt: skip
    return figure


def _range(steps: pl.DataFrame) -> list[float]:
    floating = steps.filter(~pl.col("step").is_in(TOTAL_STEPS))
    points = pl.concat([steps["end"], floating["start"]])
    low, high = float(points.min()), float(points.max())
    pad = (high - low) * 0.25 or abs(high) * 0.05 or 1.0
    return [low - pad if low - pad > 0 or low < 0 else 0.0, high + pad]
