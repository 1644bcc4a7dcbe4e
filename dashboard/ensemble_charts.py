"""Pure plotly figures for ensembles of worlds (no Streamlit here): a 90 % range drawn behind a
time chart's lines, the tornado of what matters most, the paired B - A across worlds, and the
data plan's learning curves with their ranges."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from dashboard.charts import LINE_COLOURS, NEUTRAL, _figure, _layout


def _rgba(hex_colour: str, alpha: float) -> str:
    r, g, b = (int(hex_colour[i:i + 2], 16) for i in (1, 3, 5))
    return f"rgba({r},{g},{b},{alpha})"


def add_range(fig: go.Figure, bands: pd.DataFrame | None, metrics: dict[str, int],
              worlds: int) -> go.Figure:
    """Shade, behind the existing lines, each metric's 5th-95th percentile across worlds.

    ``metrics`` maps a metric to the position of its line among the figure's own lines (for
    its colour; a reference band's grey ghost lines are not counted). The single run's lines
    stay on top, unchanged."""
    if bands is None:
        return fig
    lines = [trace for trace in fig.data if getattr(trace, "legendgroup", None) != "ghost"]
    shaded = []
    for metric, i in metrics.items():
        rows = bands[bands["metric"] == metric]
        if rows.empty:
            continue
        weeks = rows["week"].to_numpy(dtype=float)
        colour = LINE_COLOURS[i % len(LINE_COLOURS)]
        name = f"{lines[i].name if i < len(lines) else metric}: 90% of {worlds} worlds"
        x = np.r_[weeks, weeks[::-1]]
        y = np.r_[rows["high"].to_numpy(dtype=float), rows["low"].to_numpy(dtype=float)[::-1]]
        shaded.append(go.Scatter(x=x, y=y, fill="toself", mode="lines", name=name,
                                 line={"width": 0, "color": _rgba(colour, 0.0)},
                                 fillcolor=_rgba(colour, 0.18), hoverinfo="skip"))
    if shaded:
        fig.add_traces(shaded)
        k = len(shaded)
        fig.data = fig.data[-k:] + fig.data[:-k]  # drawn first: behind the single run's lines
    return fig


def tornado(table: pd.DataFrame, unit: str, value: str = "diff") -> go.Figure:
    """One bar per assumption from its low-end to its high-end result, biggest swing on top.

    ``value`` is ``diff`` (the cost difference B - A) or ``cost`` (the band's cost)."""
    low, high = table[f"{value}_at_low"].to_numpy(float), table[f"{value}_at_high"].to_numpy(float)
    names = list(table["assumption"])
    base = np.minimum(low, high)
    data = [{"type": "bar", "orientation": "h", "y": names, "x": np.abs(high - low), "base": base,
             "marker": {"color": [LINE_COLOURS[0] if h >= lo else LINE_COLOURS[1]
                                  for lo, h in zip(low, high, strict=True)]},
             "text": [f"{a['low']:g} → {a['high']:g}" for _, a in table.iterrows()],
             "textposition": "inside", "name": "low end → high end",
             "customdata": np.column_stack([low, high]),
             "hovertemplate": "%{y}<br>at its low end: %{customdata[0]:,.0f}<br>at its high "
                              "end: %{customdata[1]:,.0f}<extra></extra>"}]
    what = "cost difference B - A" if value == "diff" else "cost of the band"
    layout = _layout(f"What matters most: swing of the {what}", f"{what} ({unit})", "",
                     hovermode="closest", showlegend=False)
    layout["yaxis"]["autorange"] = "reversed"
    return _figure(data, layout)


def paired_worlds(per_world: pd.DataFrame, unit: str) -> go.Figure:
    """The cost difference B - A in each world, sorted, with zero marked."""
    diff = np.sort(per_world["cost_total_diff"].to_numpy(dtype=float))
    data = [{"type": "bar", "x": np.arange(1, len(diff) + 1), "y": diff,
             "marker": {"color": [LINE_COLOURS[2] if d < 0 else LINE_COLOURS[1] for d in diff]},
             "name": "B - A", "hovertemplate": "%{y:,.0f}<extra></extra>"}]
    layout = _layout("Total cost, B - A, in each world (sorted; below zero: B is cheaper)",
                     "world (sorted by the difference)", f"B - A ({unit})", hovermode="closest",
                     showlegend=False)
    layout["shapes"].append({"type": "line", "xref": "paper", "x0": 0, "x1": 1, "y0": 0, "y1": 0,
                             "line": {"color": NEUTRAL, "dash": "dot"}})
    return _figure(data, layout)


def learning_curves(summary: pd.DataFrame, unit: str, worlds: int,
                    words: dict[str, str] | None = None) -> go.Figure:
    """The data plan: per strategy, the next model's median cost per production week against
    the budget, with the 5th-95th percentile over worlds shaded behind its line."""
    words = words or {}
    money = "$" if unit == "$" else ""
    data: list[dict] = []
    for i, (name, rows) in enumerate(summary.groupby("strategy", sort=False)):
        colour = LINE_COLOURS[i % len(LINE_COLOURS)]
        x = rows["budget"].to_numpy(dtype=float)
        label = words.get(name, name)
        data.append({"type": "scatter", "x": np.r_[x, x[::-1]].tolist(),
                     "y": np.r_[rows["cost_high"].to_numpy(dtype=float),
                                rows["cost_low"].to_numpy(dtype=float)[::-1]].tolist(),
                     "fill": "toself", "mode": "lines", "name": f"{label}: 90% of {worlds} worlds",
                     "legendgroup": name, "showlegend": False, "hoverinfo": "skip",
                     "line": {"width": 0, "color": _rgba(colour, 0.0)},
                     "fillcolor": _rgba(colour, 0.15)})
        data.append({"type": "scatter", "x": x.tolist(),
                     "y": rows["cost_total"].to_numpy(dtype=float).tolist(),
                     "mode": "lines+markers", "name": label, "legendgroup": name,
                     "line": {"color": colour, "width": 2},
                     "customdata": rows["labels"].to_numpy().tolist(),
                     "hovertemplate": f"{label}<br>budget {money}%{{x:,.0f}}: %{{customdata:,}} "
                                      f"reviews<br>cost {money}%{{y:,.0f}} a week<extra></extra>"})
    shades = [d for d in data if d.get("fill")]
    lines = [d for d in data if not d.get("fill")]
    return _figure(shades + lines, _layout(
        "Learning curves: the next model's cost for each way of spending the budget",
        f"labelling budget ({unit})", f"cost per production week ({unit})",
        hovermode="closest"))
