"""The plotly figure of the "one decision explained" section: partial dependence of the score
on one feature, the average line over the background events, their individual lines faintly,
the event's own line, its current value and both thresholds of the band."""

from __future__ import annotations

import plotly.graph_objects as go

from dashboard.charts import ACTION_COLOURS, LINE_COLOURS, NEUTRAL, _figure, _layout, _line, _list

INDIVIDUAL_LINES = 40  # faint lines drawn; the average is over all of them


def partial_dependence(dep, words: str, value_text: str, t_low: float, t_high: float,
                       actions: dict[str, str]) -> go.Figure:
    """``dep`` is a ``simulations.explain.Dependence``; x in the units people know."""
    x = _list(dep.shown)
    data = [{"type": "scatter", "mode": "lines", "x": x, "y": _list(line),
             "line": {"color": NEUTRAL, "width": 0.6}, "opacity": 0.35, "hoverinfo": "skip",
             "showlegend": k == 1, "name": "other events (individual)"}
            for k, line in enumerate(dep.individual[1:INDIVIDUAL_LINES + 1], start=1)]
    data.append({"type": "scatter", "mode": "lines", "x": x, "y": _list(dep.average),
                 "name": "average (partial dependence)",
                 "line": {"color": LINE_COLOURS[0], "width": 3}})
    data.append({"type": "scatter", "mode": "lines", "x": x, "y": _list(dep.individual[0]),
                 "name": "this event", "line": {"color": LINE_COLOURS[3], "width": 2.5}})
    layout = _layout(f"Score as {words} varies (this event: {value_text})", words, "score",
                     hovermode="closest")
    _line(layout, "y", t_high, ACTION_COLOURS["flag"], "dash",
          f"t_high {t_high:g}: '{actions['flag']}' at or above", "left")
    if t_low != t_high:
        _line(layout, "y", t_low, ACTION_COLOURS["pass"], "dash",
              f"t_low {t_low:g}: '{actions['pass']}' below", "right")
    _line(layout, "x", dep.event_shown, LINE_COLOURS[3], "dot", "now", "left")
    return _figure(data, layout)
