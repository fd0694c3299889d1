"""What the Forecasts page shows: its tables shaped for people (pure, frames in and out) and its
Plotly figures.

Colours follow the other pages (Okabe-Ito, safe for the common colour-vision deficiencies);
backgrounds and text are left to `theme="streamlit"`.
"""

from __future__ import annotations

import datetime as dt
import json

import plotly.graph_objects as go
import polars as pl
from plotly.subplots import make_subplots

ACTUAL = "#0072B2"  # blue
NATURAL = "#E69F00"  # orange
NATURAL_BAND = "rgba(230, 159, 0, 0.22)"
MASKED_BAND = "rgba(0, 158, 115, 0.16)"  # bluish green: days left out of the fit
FESTIVAL_BAND = "rgba(204, 121, 167, 0.12)"  # reddish purple: the market calendar
COMPONENTS = ("trend", "weekly", "yearly", "calendar")


def model_text(settings_json: str | None) -> str:
    """'blend of multiplicative + log, linear trend, changepoint prior 0.001' from a run's
    settings JSON (older runs: 'log, changepoint prior 0.01')."""
    if not settings_json:
        return "—"
    settings = json.loads(settings_json)
    if "fits" in settings:
        shapes = " + ".join(_shape(fit) for fit in settings["fits"])
        priors = sorted({fit["changepoint_prior"] for fit in settings["fits"]})
        return (
            f"{settings['candidate']} ({shapes}), {settings['trend']} trend, "
            f"changepoint prior {', '.join(map(str, priors))}"
        )
    if "mode" not in settings:
        return "—"
    return f"{_shape(settings)}, changepoint prior {settings['changepoint_prior']}"


def _shape(settings: dict) -> str:
    return "log" if settings.get("log") else settings["mode"]


def runs_table(runs: pl.DataFrame) -> pl.DataFrame:
    """One row per series for people: its run in use, the model and its backtest against
    seasonal-naive. `runs` is `forecast_store.rolling_runs`."""
    return runs.select(
        "metric",
        "team",
        "run",
        "status",
        fitted_at="created_at",
        trained_from="train_start",
        trained_to="train_end",
        model=pl.col("settings").map_elements(model_text, return_dtype=pl.String),
        masked_days="masked_days",
        backtest_days="horizon",
        model_smape="model_smape",
        naive_smape="naive_smape",
        coverage="coverage",
        beats_naive=pl.col("model_smape") < pl.col("naive_smape"),
        error=pl.col("error").fill_null(""),
    )


def teams_of(runs: pl.DataFrame, metric: str | None) -> list[str]:
    """The teams with a run of `metric`, sorted."""
    return sorted(set(runs.filter(pl.col("metric") == metric)["team"])) if metric else []


def run_of(runs: pl.DataFrame, metric: str, team: str) -> dict:
    """The run of one series as a dict of its columns."""
    return runs.filter(pl.col("metric") == metric, pl.col("team") == team).row(0, named=True)


def selection_table(selection_json: str | None) -> pl.DataFrame:
    """Each candidate of the model choice and its mean running-total error per backtest origin
    (older runs: its sMAPE on the held-out training days, as `origin 1`)."""
    schema = {"candidate": pl.String, "chosen": pl.Boolean, "origin 1": pl.Float64}
    if not selection_json:
        return pl.DataFrame(schema=schema)
    selection = json.loads(selection_json)
    candidates = selection.get("candidates", [])
    if candidates and "scores" not in candidates[0]:  # policy 3: one sMAPE per candidate
        rows = [(model_text(json.dumps(c["settings"])), False, c["smape"]) for c in candidates]
        return pl.DataFrame(rows, schema=schema, orient="row")
    origins = selection.get("origins", [])
    names = [f"origin {i + 1} ({o['start']})" for i, o in enumerate(origins)]
    if not names:
        return pl.DataFrame(schema=schema)
    rows = [
        {"candidate": c["name"], "chosen": c["name"] == selection.get("chosen")}
        | dict(zip(names, c["scores"], strict=True))
        for c in candidates
    ]
    return pl.DataFrame(rows)


def calibration_table(calibrations: pl.DataFrame) -> pl.DataFrame:
    """Per series, how its interval was learnt: `metrics.forecasts.reads.run_calibrations` in
    the words of the page and the CLI (sds and widths as shares of the natural total)."""
    return calibrations.select(
        "metric",
        "team",
        half_width="half_width",
        backtest_coverage="coverage",
        level_error="level_sd",
        slope_error_per_year="slope_sd",
        daily_noise="noise_sd",
        noise_persistence="noise_phi",
        shared_with_company="rho",
        window_errors="backtest_errors",
        how=pl.col("method"),
    )


def spans(days: pl.Series) -> list[tuple[dt.date, dt.date]]:
    """Consecutive runs of days as (first, last) pairs, so a chart shades a few bands."""
    if days.is_empty():
        return []
    frame = (
        days.sort()
        .to_frame("day")
        .with_columns(run=(pl.col("day").diff().dt.total_days() != 1).fill_null(True).cum_sum())
    )
    grouped = frame.group_by("run", maintain_order=True).agg(
        first=pl.col("day").min(), last=pl.col("day").max()
    )
    return list(grouped.select("first", "last").iter_rows())


def natural_figure(frame: pl.DataFrame, festivals: pl.DataFrame, *, title: str) -> go.Figure:
    """Actual against the natural model and its interval, masked days and festivals shaded.

    `frame` is `forecast_store.rolling_forecast`; `festivals` has start_day, end_day.
    """
    days = frame["day"].to_list()
    figure = go.Figure()
    figure.add_trace(
        go.Scatter(x=days, y=frame["yhat_upper"].to_list(), mode="lines", line={"width": 0},
                   hoverinfo="skip", showlegend=False)
    )  # fmt: skip
    figure.add_trace(
        go.Scatter(x=days, y=frame["yhat_lower"].to_list(), mode="lines", line={"width": 0},
                   fill="tonexty", fillcolor=NATURAL_BAND, name="natural: interval",
                   hoverinfo="skip")
    )  # fmt: skip
    figure.add_trace(
        go.Scatter(x=days, y=frame["yhat"].to_list(), mode="lines",
                   line={"color": NATURAL, "dash": "dash"}, name="natural growth")
    )  # fmt: skip
    figure.add_trace(
        go.Scatter(x=days, y=frame["actual"].to_list(), mode="lines",
                   line={"color": ACTUAL, "width": 1.5}, name="actual")
    )  # fmt: skip
    for first, last in spans(frame.filter("masked")["day"]):
        figure.add_vrect(x0=first, x1=last + dt.timedelta(days=1), fillcolor=MASKED_BAND,
                         line_width=0, layer="below")  # fmt: skip
    for first, last in festivals.select("start_day", "end_day").iter_rows():
        # unlabelled: over years of history the festival names would pile up on each other
        figure.add_vrect(x0=first, x1=last + dt.timedelta(days=1), fillcolor=FESTIVAL_BAND,
                         line_width=0, layer="below")  # fmt: skip
    last_actual = frame.filter(pl.col("actual").is_not_null())["day"].max()
    if last_actual is not None:
        figure.add_vline(x=last_actual, line_dash="dot", line_width=1)
    figure.update_layout(
        title=title, hovermode="x unified", legend={"orientation": "h", "y": -0.15},
        margin={"t": 50, "b": 10},
    )  # fmt: skip
    return figure


def components_figure(frame: pl.DataFrame) -> go.Figure:
    """Trend, weekly, yearly and calendar parts of the natural model, in the series' units."""
    figure = make_subplots(rows=len(COMPONENTS), cols=1, shared_xaxes=True,
                           subplot_titles=COMPONENTS, vertical_spacing=0.06)  # fmt: skip
    days = frame["day"].to_list()
    for row, name in enumerate(COMPONENTS, start=1):
        figure.add_trace(
            go.Scatter(x=days, y=frame[name].to_list(), mode="lines", name=name,
                       line={"color": NATURAL if name == "trend" else ACTUAL, "width": 1}),
            row=row, col=1,
        )  # fmt: skip
    figure.update_layout(height=620, showlegend=False, margin={"t": 40, "b": 10})
    return figure
