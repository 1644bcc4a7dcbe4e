"""Pure plotly figures of the Monitor tab (no Streamlit here): a metric's three views (true,
realised, estimated with its interval) by week, and how one week's labels mature.

Built like ``dashboard.charts`` (plain dictionaries, no per-property validation; the tests
validate every figure), with its palette, markers and NaN-as-gap lines.
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from dashboard.charts import LINE_COLOURS, NEUTRAL, Markers, _figure, _layout, _line, _list, _mark

VIEW_COLOURS = {"true": LINE_COLOURS[0], "realised": LINE_COLOURS[4],
                "estimated": LINE_COLOURS[2]}
BAND_FILL = "rgba(42, 157, 143, 0.18)"


def three_views(view: pd.DataFrame, metric: str, title: str, y_title: str, markers: Markers,
                *, realised_name: str, y_format: str | None = None,
                hlines: dict[str, float] | None = None) -> go.Figure:
    """Per week: the true metric, the realised one (on the labels arrived) and the estimate
    with its 90 % interval as a shaded band. Each line keeps its own name."""
    weeks = _list(view["week"])
    low, high = _list(view[f"est_{metric}_low"]), _list(view[f"est_{metric}_high"])
    data = [
        {"type": "scatter", "x": weeks, "y": high, "mode": "lines", "line": {"width": 0},
         "hoverinfo": "skip", "showlegend": False, "connectgaps": False},
        {"type": "scatter", "x": weeks, "y": low, "mode": "lines", "line": {"width": 0},
         "fill": "tonexty", "fillcolor": BAND_FILL, "name": "estimate's 90% interval",
         "hoverinfo": "skip", "connectgaps": False},
        {"type": "scatter", "x": weeks, "y": _list(view[f"est_{metric}"]),
         "mode": "lines+markers", "name": "estimated (no labels)",
         "line": {"color": VIEW_COLOURS["estimated"], "dash": "dash"}, "connectgaps": False},
        # the truth wide underneath and the realised view dotted on top: once every label is
        # in they are the same line, and both must stay visible then
        {"type": "scatter", "x": weeks, "y": _list(view[f"true_{metric}"]),
         "mode": "lines+markers", "name": "true (all labels; only a simulator knows)",
         "line": {"color": VIEW_COLOURS["true"], "width": 5}, "marker": {"size": 9},
         "connectgaps": False},
        {"type": "scatter", "x": weeks, "y": _list(view[f"realised_{metric}"]),
         "mode": "lines+markers", "name": realised_name,
         "line": {"color": VIEW_COLOURS["realised"], "width": 2, "dash": "dot"},
         "marker": {"size": 5}, "connectgaps": False},
    ]
    layout = _layout(title, "week", y_title, y_format=y_format)
    for name, level in (hlines or {}).items():
        _line(layout, "y", float(level), NEUTRAL, "dot", name, "left")
    return _figure(data, _mark(layout, markers))


def maturity(table: pd.DataFrame, week: int) -> go.Figure:
    """How week ``week``'s labels come in: the share arrived by each later week (bars, right
    axis) and the precision and recall the team would have computed then (lines), beside the
    true values (dotted)."""
    x = _list(table["as_of_week"])
    data = [
        {"type": "bar", "x": x, "y": _list(table["share_arrived"]), "name": "labels arrived",
         "marker": {"color": "rgba(127, 127, 127, 0.35)"}, "yaxis": "y2"},
        {"type": "scatter", "x": x, "y": _list(table["precision"]), "mode": "lines+markers",
         "name": "precision, as computed then", "line": {"color": LINE_COLOURS[0]},
         "connectgaps": False},
        {"type": "scatter", "x": x, "y": _list(table["recall"]), "mode": "lines+markers",
         "name": "recall, as computed then", "line": {"color": LINE_COLOURS[1]},
         "connectgaps": False},
        {"type": "scatter", "x": x, "y": _list(table["true_precision"]), "mode": "lines",
         "name": "true precision", "line": {"color": LINE_COLOURS[0], "dash": "dot"}},
        {"type": "scatter", "x": x, "y": _list(table["true_recall"]), "mode": "lines",
         "name": "true recall", "line": {"color": LINE_COLOURS[1], "dash": "dot"}},
    ]
    layout = _layout(f"Week {week}'s labels as they arrive", "as of the end of week",
                     "precision / recall", y_format=".0%")
    layout["yaxis"]["range"] = [0, 1.02]
    layout["yaxis2"] = {"title": {"text": "share of the week's labels arrived"},
                        "overlaying": "y", "side": "right", "range": [0, 1.02],
                        "tickformat": ".0%", "showgrid": False}
    return _figure(data, layout)
