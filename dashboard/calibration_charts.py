"""Pure plotly figures of calibration: the reliability diagram with the band's thresholds."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from dashboard.charts import LINE_COLOURS, NEUTRAL, _figure, _layout


def reliability_diagram(table: pd.DataFrame, t_low: float, t_high: float, words: dict,
                        title: str) -> go.Figure:
    """Observed positive rate against mean score per bin (marker area ~ events), the
    diagonal of a calibrated model, and the two thresholds as vertical lines."""
    count = table["count"].to_numpy(dtype=float)
    size = 6 + 22 * np.sqrt(count / count.max()) if len(count) else []
    data = [
        {"type": "scatter", "x": [0, 1], "y": [0, 1], "mode": "lines", "name": "calibrated",
         "line": {"color": NEUTRAL, "dash": "dot"}, "hoverinfo": "skip"},
        {"type": "scatter", "x": table["mean_predicted"].to_numpy(dtype=float),
         "y": table["fraction_positive"].to_numpy(dtype=float), "mode": "lines+markers",
         "name": "this model", "marker": {"size": size, "color": LINE_COLOURS[0]},
         "customdata": count,
         "hovertemplate": "mean score %{x:.3f}<br>positive %{y:.1%}<br>%{customdata:,.0f} "
                          "events<extra></extra>"},
    ]
    layout = _layout(title, "mean score in the bin", "share truly positive", hovermode="closest",
                     y_format=".0%")
    layout["xaxis"]["range"] = [0, 1]
    layout["yaxis"]["range"] = [0, 1]
    layout["shapes"] = [
        {"type": "line", "x0": t, "x1": t, "y0": 0, "y1": 1, "yref": "paper",
         "line": {"color": colour, "dash": "dash", "width": 1.5}}
        for t, colour in ((t_low, LINE_COLOURS[2]), (t_high, LINE_COLOURS[1]))]
    layout["annotations"] = [
        {"x": t, "y": 1, "yref": "paper", "text": f"{label} {t:.3f}", "showarrow": False,
         "xanchor": "left", "yanchor": "bottom", "font": {"size": 11}}
        for t, label in ((t_low, words["pass"] + " below"), (t_high, words["flag"] + " from"))]
    return _figure(data, layout)
