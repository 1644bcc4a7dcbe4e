"""Pure plotly figures of a fairness strategy followed week by week: the gap between segments
against the tolerance (with its noise from the draw), and the weekly price of the constraint."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from dashboard.charts import (
    ACTION_COLOURS,
    LINE_COLOURS,
    NEUTRAL,
    Markers,
    _figure,
    _layout,
    _line,
    _list,
    _mark,
)


def _fitted_region(layout: dict, fit_weeks: int) -> None:
    layout.setdefault("shapes", []).append(
        {"type": "rect", "xref": "x", "yref": "paper", "x0": 0.5, "x1": fit_weeks + 0.5,
         "y0": 0, "y1": 1, "fillcolor": NEUTRAL, "opacity": 0.12, "line": {"width": 0},
         "layer": "below"})


def fairness_gap(weekly: pd.DataFrame, tolerance: float, fit_weeks: int, metric_words: str,
                 markers: Markers) -> go.Figure:
    """The weekly gap (highest segment minus lowest) with a ±noise band, the tolerance as a
    line and the fitting weeks shaded."""
    weeks = _list(weekly["week"])
    gap, noise = _list(weekly["gap"]), _list(weekly["gap_noise"])
    data = [
        {"type": "scatter", "x": weeks, "y": gap + noise, "mode": "lines", "showlegend": False,
         "line": {"width": 0}, "hoverinfo": "skip", "name": "gap + noise"},
        # a gap (highest minus lowest) is never below 0, so neither is its band
        {"type": "scatter", "x": weeks, "y": np.where(gap - noise < 0, 0.0, gap - noise),
         "mode": "lines", "fill": "tonexty",
         "fillcolor": "rgba(76,120,168,0.18)", "line": {"width": 0}, "hoverinfo": "skip",
         "name": "± noise from the draw (95%)"},
        {"type": "scatter", "x": weeks, "y": gap, "mode": "lines+markers",
         "name": f"gap in {metric_words}", "line": {"color": LINE_COLOURS[0]},
         "connectgaps": False},
    ]
    # short titles: at half the page's width the longer ones were cut off; the caption under
    # the charts says what the shading is
    layout = _layout(f"Gap in {metric_words} between segments, by week", "week",
                     "highest minus lowest segment", y_format=".1%")
    _fitted_region(layout, fit_weeks)
    _line(layout, "y", float(tolerance), ACTION_COLOURS["flag"], "dash",
          f"tolerance {tolerance * 100:.1f} pp", "left", width=2)
    return _figure(data, _mark(layout, markers))


def fairness_price(weekly: pd.DataFrame, unit: str, fit_weeks: int,
                   markers: Markers) -> go.Figure:
    """The constraint's weekly cost minus the cheapest per-segment bands' weekly cost."""
    data = [{"type": "bar", "x": _list(weekly["week"]), "y": _list(weekly["price"]),
             "name": "price of the constraint", "marker": {"color": LINE_COLOURS[1]}}]
    layout = _layout("Price of the constraint by week", "week",
                     f"cost more than the cheapest bands ({unit})")
    _fitted_region(layout, fit_weeks)
    _line(layout, "y", 0.0, NEUTRAL, "solid", "no price", "left")
    return _figure(data, _mark(layout, markers))


def traffic_shares(weekly: pd.DataFrame, segments: tuple[str, ...],
                   markers: Markers) -> go.Figure:
    """Each segment's share of the week's traffic (solid) and of its natural traffic, what
    would have arrived had no decision changed who comes back (dotted, same colour)."""
    weeks = _list(weekly["week"])
    data = []
    for i, name in enumerate(segments):
        colour = LINE_COLOURS[i % len(LINE_COLOURS)]
        data.append({"type": "scatter", "x": weeks, "y": _list(weekly[f"traffic_share_{name}"]),
                     "mode": "lines+markers", "name": name, "legendgroup": name,
                     "line": {"color": colour}, "connectgaps": False})
        data.append({"type": "scatter", "x": weeks, "y": _list(weekly[f"natural_share_{name}"]),
                     "mode": "lines", "name": f"{name}, without impact", "legendgroup": name,
                     "line": {"color": colour, "dash": "dot", "width": 1},
                     "connectgaps": False})
    layout = _layout("Each segment's share of the traffic, by week", "week",
                     "share of the week's events", y_format=".0%")
    layout["yaxis"]["rangemode"] = "nonnegative"
    return _figure(data, _mark(layout, markers))
