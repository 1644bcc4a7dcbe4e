"""Pure functions that turn simulation summaries into plotly figures (no Streamlit here).

One palette for the three actions everywhere (pass, review, flag) and one for the two true
classes; colours are mid-tone so they read on light and dark backgrounds. Every axis has a
title with its unit; drift onsets and retrainings are marked on every time chart.

Figures are written as plain plotly dictionaries and wrapped without plotly's per-property
validation (``go.Figure(spec, _validate=False)``): validation costs 5-20 ms a figure, and a
band drag redraws several of them for every person in a workshop. The tests validate every
figure these functions make, so a typo still fails loudly there.
"""

from __future__ import annotations

import html
import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
import plotly.graph_objects as go

ACTION_COLOURS = {"pass": "#2a9d8f", "review": "#e9a23b", "flag": "#d1495b"}
CLASS_COLOURS = {"positive": "#d1495b", "negative": "#4c78a8"}
LINE_COLOURS = ("#4c78a8", "#d1495b", "#2a9d8f", "#9c6ade", "#e9a23b", "#7f7f7f")
NEUTRAL = "#7f7f7f"
HEIGHT = 360
# Legends sit under the plot, at the bottom of the figure, never beside the title: a legend
# that wraps onto a second line would otherwise cover the title (or the plot's top labels).
LEGEND = {"orientation": "h", "yref": "container", "y": 0, "yanchor": "bottom", "x": 0,
          "xanchor": "left"}


@dataclass(frozen=True)
class Markers:
    """Weeks to mark on time charts."""

    drift_onsets: tuple[int, ...] = ()
    retrainings: tuple[int, ...] = ()


def _list(values) -> np.ndarray:
    """A float array: plotly sends it to the browser as a typed array (fast to copy and
    encode), and NaN stays NaN, which plotly.js draws as a gap, never as a zero."""
    return np.array(values, dtype=float)


def _figure(data: list[dict], layout: dict) -> go.Figure:
    # An empty template: Streamlit styles the chart with its own theme, and plotly's default
    # template would otherwise be copied into every figure (about 7 kB of settings).
    return go.Figure(_spec(data, layout), _validate=False)


def _layout(title: str, x_title: str, y_title: str, *, height: int = HEIGHT,
            y_format: str | None = None, hovermode: str = "x unified", **extra) -> dict:
    layout = {
        "title": {"text": title, "x": 0, "xanchor": "left"},
        "height": height,
        "margin": {"l": 10, "r": 10, "t": 50, "b": 10},
        "legend": dict(LEGEND),
        "hovermode": hovermode,
        # automargin: tick labels and axis titles make room for themselves (Streamlit's theme
        # does this on the page, but the offline report has no theme)
        "xaxis": {"title": {"text": x_title}, "automargin": True},
        "yaxis": {"title": {"text": y_title}, "automargin": True},
        "shapes": [],
        "annotations": [],
    }
    if y_format:
        layout["yaxis"]["tickformat"] = y_format
    layout.update(extra)
    return layout


def _line(layout: dict, axis: str, at: float, colour: str, dash: str, text: str,
          anchor: str, width: float = 1.5) -> None:
    """A vertical (axis "x") or horizontal (axis "y") reference line with a label."""
    if axis == "x":  # labelled just above the plot: clear of the data, of a horizontal
        # line's label (a capacity near the top) and of the legend below
        shape = {"type": "line", "xref": "x", "yref": "paper", "x0": at, "x1": at, "y0": 0,
                 "y1": 1}
        note = {"x": at, "xref": "x", "y": 1, "yref": "paper", "yanchor": "bottom",
                "xanchor": anchor}
    else:
        shape = {"type": "line", "xref": "paper", "yref": "y", "x0": 0, "x1": 1, "y0": at,
                 "y1": at}
        note = {"x": 0 if anchor == "left" else 1, "xref": "paper", "y": at, "yref": "y",
                "yanchor": "bottom", "xanchor": anchor}
    shape["line"] = {"color": colour, "dash": dash, "width": width}
    layout["shapes"].append(shape)
    layout["annotations"].append({**note, "text": text, "showarrow": False,
                                  "font": {"size": 11, "color": colour}})


def _mark(layout: dict, markers: Markers) -> dict:
    for week in markers.drift_onsets:
        _line(layout, "x", week - 0.5, LINE_COLOURS[3], "dash", "drift starts", "right")
    for week in markers.retrainings:
        # a model retrained at the end of week w serves from week w + 1
        _line(layout, "x", week + 0.5, NEUTRAL, "dot", "retrained", "left")
    return layout


# -- the Tradeoff tab's charts: a band-free base and one band's marks ------------------------
# Each chart is its run's base (curves, histogram bars, axes: the same for every band) plus
# the marks of one band (shaded regions, the operating point, the current cost), added onto
# copies of the base's top-level lists, never into the base itself. The figure functions
# compose the two; the dashboard keeps every base once per run, in the form Streamlit sends,
# and adds only a band's marks on a band move (tests check both ways give the same figure).


def _spec(data: list[dict], layout: dict) -> dict:
    return {"data": data, "layout": {"template": {}, **layout}}


def _figure_of(spec: dict) -> go.Figure:
    return go.Figure(spec, _validate=False)


def _marked(spec: dict, traces: list[dict] = (), **copied) -> tuple[dict, dict]:
    """(copy of ``spec`` with ``traces`` added, its layout): the layout, its shapes and
    annotations, and the axes named in ``copied``, are fresh copies the caller may change."""
    layout = {**spec["layout"], "shapes": list(spec["layout"].get("shapes", ())),
              "annotations": list(spec["layout"].get("annotations", ()))}
    for axis in copied:
        layout[axis] = dict(layout[axis])
    return {"data": [*spec["data"], *traces], "layout": layout}, layout


def score_distribution(hist: pd.DataFrame, t_low: float, t_high: float, words: dict[str, str],
                       positive: str, negative: str, log_x: bool,
                       counts: bool = False) -> go.Figure:
    """Share of each true class per score bin (or, with ``counts``, the number of events, so
    the base rate shows), with the three action regions shaded."""
    return _figure_of(score_distribution_band(
        score_distribution_base(hist, positive, negative, log_x, counts), t_low, t_high, words,
        log_x))


def score_distribution_base(hist: pd.DataFrame, positive: str, negative: str, log_x: bool,
                            counts: bool = False) -> dict:
    """The bars of ``score_distribution``, without the band."""
    lower, upper = hist["lower"].to_numpy(), hist["upper"].to_numpy()
    centres = np.sqrt(np.maximum(lower, 1e-5) * upper) if log_x else (lower + upper) / 2
    value = "%{y:,.0f} events" if counts else "%{y:.1%}"
    data = [
        {"type": "bar", "x": _list(centres), "y": _list(hist[column]),
         "width": _list(upper - lower), "name": name, "marker": {"color": colour},
         "opacity": 0.65, "hovertemplate": f"score %{{x:.3g}}: {value}<extra>{name}</extra>"}
        for column, name, colour in (
            ("negatives" if counts else "share_negatives", f"truly {negative}",
             CLASS_COLOURS["negative"]),
            ("positives" if counts else "share_positives", f"truly {positive}",
             CLASS_COLOURS["positive"]))
    ]
    layout = _layout("Events by score and true class" if counts else
                     "Scores by true class, with the decision band", "model score (probability)",
                     "events per score bin" if counts else "share of the class's events",
                     y_format=",.0f" if counts else ".0%", hovermode="closest",
                     barmode="overlay", bargap=0)
    if log_x:
        # ticks as plain decimals (0.0001 ... 1), not plotly's SI prefixes ("100µ")
        layout["xaxis"].update(type="log", range=[-4, 0], tickformat="~g")
        layout["xaxis"]["title"]["text"] = "model score (log scale)"
    else:
        layout["xaxis"]["range"] = [0, 1]
    return _spec(data, layout)


def score_distribution_band(spec: dict, t_low: float, t_high: float, words: dict[str, str],
                            log_x: bool) -> dict:
    """``spec`` (a ``score_distribution_base``) with the three action regions shaded."""
    spec, layout = _marked(spec)
    start = 1e-4 if log_x else 0.0  # a log axis starts above zero: clamp the band onto it
    low, high = (min(max(t, start), 1.0) for t in (t_low, t_high))
    regions = [(start, low, "pass", 0.08), (low, high, "review", 0.18),
               (high, 1.0, "flag", 0.08)]
    for x0, x1, action, opacity in regions:
        if x1 <= x0:
            continue
        layout["shapes"].append({"type": "rect", "xref": "x", "yref": "paper", "x0": x0,
                                 "x1": x1, "y0": 0, "y1": 1, "line": {"width": 0},
                                 "fillcolor": ACTION_COLOURS[action], "opacity": opacity,
                                 "layer": "below"})
        # annotations on a log axis take log10 positions; shapes take data values
        mid = math.sqrt(x0 * x1) if log_x else (x0 + x1) / 2
        layout["annotations"].append({
            "x": math.log10(mid) if log_x else mid, "xref": "x",
            "y": 0.92 if action == "review" else 0.99, "yref": "paper",
            "yanchor": "top", "text": f"<b>{words[action]}</b>", "showarrow": False,
            "font": {"size": 12, "color": ACTION_COLOURS[action]}})
    return spec


def _point(point: tuple[float, float]) -> list[dict]:
    if not np.all(np.isfinite(point)):
        return []
    return [{"type": "scatter", "x": [float(point[0])], "y": [float(point[1])], "mode": "markers",
             "name": "current policy",
             "marker": {"size": 13, "color": ACTION_COLOURS["flag"], "symbol": "x"}}]


def precision_recall(curves: pd.DataFrame, point: tuple[float, float],
                     base_rate: float, reviewed: bool = False) -> go.Figure:
    """The model's PR curve and the current policy's point; with a review band (``reviewed``)
    the point can sit above the curve, because reviewers' verdicts lift precision: said."""
    return _figure_of(precision_recall_band(precision_recall_base(curves, base_rate), point,
                                            reviewed))


def precision_recall_base(curves: pd.DataFrame, base_rate: float) -> dict:
    """The model's PR curve and the random-guessing line of ``precision_recall``."""
    data = [{"type": "scatter", "x": _list(curves["recall"]), "y": _list(curves["precision"]),
             "mode": "lines", "name": "model", "line": {"color": LINE_COLOURS[0]},
             "customdata": _list(curves["thresholds"]),
             "hovertemplate": "threshold %{customdata:.3f}<br>recall %{x:.1%}<br>"
                              "precision %{y:.1%}<extra></extra>"}]
    layout = _layout("Precision vs recall", "recall (share of positives caught)",
                     "precision (share of flags that are right)", y_format=".0%",
                     hovermode="closest")
    layout["xaxis"].update(tickformat=".0%", range=[0, 1])
    layout["yaxis"]["range"] = [0, 1.02]
    _line(layout, "y", float(base_rate), NEUTRAL, "dot", "random guessing", "right")
    return _spec(data, layout)


def precision_recall_band(spec: dict, point: tuple[float, float], reviewed: bool) -> dict:
    """``spec`` (a ``precision_recall_base``) with the current policy's point."""
    spec, layout = _marked(spec, _point(point))
    if reviewed and np.all(np.isfinite(point)):
        layout["annotations"].append({
            "x": float(point[0]), "y": float(point[1]), "xref": "x", "yref": "y",
            "text": "with reviewers: their verdicts<br>lift precision above the curve",
            "showarrow": True, "arrowhead": 2, "ax": 60 if point[0] < 0.6 else -60,
            "ay": 40 if point[1] > 0.5 else -40, "font": {"size": 11, "color": NEUTRAL},
            "align": "left"})
    return spec


def roc(curves: pd.DataFrame, point: tuple[float, float], auc: float) -> go.Figure:
    return _figure_of(roc_band(roc_base(curves, auc), point))


def roc_base(curves: pd.DataFrame, auc: float) -> dict:
    """The model's ROC curve and the diagonal of ``roc``."""
    data = [
        {"type": "scatter", "x": np.r_[0.0, _list(curves["fpr"])],
         "y": np.r_[0.0, _list(curves["recall"])], "mode": "lines",
         "name": f"model (AUC {auc:.3f})", "line": {"color": LINE_COLOURS[0]}},
        {"type": "scatter", "x": [0, 1], "y": [0, 1], "mode": "lines", "name": "random guessing",
         "line": {"dash": "dot", "color": NEUTRAL}},
    ]
    layout = _layout("ROC curve", "false positive rate (share of negatives flagged)",
                     "true positive rate (recall)", y_format=".0%", hovermode="closest")
    layout["xaxis"].update(tickformat=".0%", range=[0, 1])
    return _spec(data, layout)


def roc_band(spec: dict, point: tuple[float, float]) -> dict:
    """``spec`` (a ``roc_base``) with the current policy's point."""
    return _marked(spec, _point(point))[0]


def confusion_heatmap(matrix: pd.DataFrame) -> go.Figure:
    return _figure_of(confusion_spec(matrix.to_numpy(), list(matrix.index),
                                     list(matrix.columns)))


def confusion_spec(values: np.ndarray, rows: list, columns: list) -> dict:
    """``confusion_heatmap`` of ``values`` (rows: truth) as plain lists (it changes with every
    band: there is no base)."""
    shares = values / max(values.sum(), 1)
    text = [[f"{v:,}<br>({s:.1%})" for v, s in zip(row, srow, strict=True)]
            for row, srow in zip(values, shares, strict=True)]
    data = [{"type": "heatmap", "z": np.log1p(values).tolist(), "x": list(columns),
             "y": list(rows), "text": text, "texttemplate": "%{text}",
             "showscale": False, "colorscale": [[0.0, "#eef3f9"], [1.0, "#4c78a8"]],
             "hoverinfo": "skip"}]
    layout = _layout("Final decisions against the truth (all weeks)", "final decision", "truth",
                     height=300, hovermode="closest")
    layout["yaxis"]["autorange"] = "reversed"
    return _spec(data, layout)


def cost_vs_threshold(curve: pd.DataFrame, best: tuple[float, float], current_cost: float,
                      unit: str) -> go.Figure:
    return _figure_of(cost_vs_threshold_band(cost_vs_threshold_base(curve, best, unit), best,
                                             current_cost, cost_top(curve)))


def cost_top(curve: pd.DataFrame) -> float:
    """The highest total cost on ``curve`` (what ``cost_vs_threshold_band`` caps the axis at)."""
    return float(np.nanmax(curve["cost_total"]))


def cost_vs_threshold_base(curve: pd.DataFrame, best: tuple[float, float], unit: str) -> dict:
    """The cost curves and the cheapest threshold of ``cost_vs_threshold``."""
    x = _list(curve["threshold"])
    data = [
        {"type": "scatter", "x": x, "y": _list(curve["cost_total"]), "mode": "lines",
         "name": "total cost, no review band", "line": {"color": LINE_COLOURS[0]}},
        {"type": "scatter", "x": x, "y": _list(curve["cost_fn"]), "mode": "lines",
         "name": "missed positives", "line": {"color": ACTION_COLOURS["pass"], "dash": "dot"}},
        {"type": "scatter", "x": x, "y": _list(curve["cost_fp"]), "mode": "lines",
         "name": "false alarms", "line": {"color": ACTION_COLOURS["flag"], "dash": "dot"}},
        {"type": "scatter", "x": [best[0]], "y": [best[1]], "mode": "markers+text",
         "name": "cheapest threshold", "text": [f"min at {best[0]:.3f}"],
         # near an end of the axis the centred label was cut ("in at 0.055" on a phone)
         "textposition": "top right" if best[0] < 0.2 else
                         "top left" if best[0] > 0.8 else "top center",
         "cliponaxis": False,
         "marker": {"size": 12, "color": LINE_COLOURS[3], "symbol": "diamond"}},
    ]
    layout = _layout("Total cost over the horizon vs a single threshold",
                     "threshold (flag when score ≥ threshold)", f"cost ({unit})")
    return _spec(data, layout)


def cost_vs_threshold_band(spec: dict, best: tuple[float, float], current_cost: float,
                           top: float) -> dict:
    """``spec`` (a ``cost_vs_threshold_base``) with the current policy's cost."""
    spec, layout = _marked(spec, yaxis=True)
    # Flagging everything costs orders of magnitude more than any sensible policy; cap the
    # axis so the region around the minimum and the current policy stays readable.
    layout["yaxis"]["range"] = [0, min(top, 3 * max(best[1], current_cost))]
    _line(layout, "y", float(current_cost), ACTION_COLOURS["review"], "dash",
          "current policy (with review)", "right")
    return spec


GHOST = {"color": "#9a9a9a", "dash": "dot", "width": 2}


def _ghosts(ghost: pd.DataFrame | None, columns: list[str], name: str) -> list[dict]:
    """Grey dotted lines of a reference policy (one legend entry for all of them)."""
    if ghost is None:
        return []
    weeks = _list(ghost["week"])
    return [{"type": "scatter", "x": weeks, "y": _list(ghost[column]), "mode": "lines",
             "name": name, "legendgroup": "ghost", "showlegend": i == 0, "line": GHOST,
             "connectgaps": False, "hoverinfo": "skip"}
            for i, column in enumerate(c for c in columns if c in ghost)]


def weekly_lines(weekly: pd.DataFrame, columns: dict[str, str], title: str, y_title: str,
                 markers: Markers, *, y_format: str | None = None,
                 hlines: dict[str, float] | None = None, ghost: pd.DataFrame | None = None,
                 ghost_name: str = "default band") -> go.Figure:
    """One line per column (legend name as value); NaN weeks stay gaps, never zeros. With
    ``ghost`` (the weekly table of a reference policy), its lines are drawn in grey behind."""
    weeks = _list(weekly["week"])
    data = _ghosts(ghost, list(columns), ghost_name) + [
        {"type": "scatter", "x": weeks, "y": _list(weekly[column]), "mode": "lines+markers",
         "name": name, "line": {"color": LINE_COLOURS[i % len(LINE_COLOURS)]},
         "connectgaps": False}
        for i, (column, name) in enumerate(columns.items())]
    layout = _layout(title, "week", y_title, y_format=y_format)
    values = np.concatenate([weekly[c].to_numpy(dtype=float) for c in columns] or [[]])
    if not (values[np.isfinite(values)] < 0).any():  # a share or a count never goes below 0:
        layout["yaxis"]["rangemode"] = "nonnegative"  # a flat 0% line drew a -100% axis
    for name, level in (hlines or {}).items():
        _line(layout, "y", float(level), NEUTRAL, "dot", name, "left")
    return _figure(data, _mark(layout, markers))


def review_load(weekly: pd.DataFrame, capacity: int, words: dict[str, str],
                markers: Markers, ghost: pd.DataFrame | None = None,
                ghost_name: str = "default band") -> go.Figure:
    weeks = _list(weekly["week"])
    data = [
        {"type": "bar", "x": weeks, "y": _list(weekly["reviewed"]),
         "name": f"{words['review']}: done", "marker": {"color": ACTION_COLOURS["review"]}},
        {"type": "bar", "x": weeks, "y": _list(weekly["review_overflow"]),
         "name": "overflow (not reviewed)",
         "marker": {"color": ACTION_COLOURS["flag"], "pattern": {"shape": "/"}}},
        *_ghosts(ghost, ["review_demand"], f"{ghost_name}: demand"),
    ]
    layout = _layout("Review demand against capacity", "week", "events sent to review",
                     barmode="stack")
    _line(layout, "y", float(capacity), NEUTRAL, "solid", f"capacity {capacity:,}/week", "left",
          width=2)
    return _figure(data, _mark(layout, markers))


def review_queue(weekly: pd.DataFrame, capacity: int, target_hours: float,
                 words: dict[str, str], markers: Markers) -> go.Figure:
    """A review queue week by week: reviews done (overtime apart), expiries and give-ups as
    stacked bars, the backlog left at the week's end as a line, all against the weekly
    capacity; the share decided within the target on a second axis (gaps where no review was
    done)."""
    weeks = _list(weekly["week"])
    target = f"{target_hours * 60:g} min" if target_hours < 1 else f"{target_hours:g} h"
    data = [
        {"type": "bar", "x": weeks, "y": _list(weekly["reviewed"] - weekly["overtime_reviews"]),
         "name": f"{words['review']}: done", "marker": {"color": ACTION_COLOURS["review"]}},
        {"type": "bar", "x": weeks, "y": _list(weekly["overtime_reviews"]),
         "name": "done in overtime",
         "marker": {"color": ACTION_COLOURS["review"], "pattern": {"shape": "."}}},
        {"type": "bar", "x": weeks, "y": _list(weekly["review_expired"]),
         "name": "expired (waited too long)",
         "marker": {"color": ACTION_COLOURS["flag"], "pattern": {"shape": "/"}}},
        {"type": "bar", "x": weeks, "y": _list(weekly["review_abandoned"]),
         "name": "gave up waiting", "marker": {"color": LINE_COLOURS[3]}},
        {"type": "scatter", "mode": "lines+markers", "x": weeks, "y": _list(weekly["backlog"]),
         "name": "backlog at week's end", "line": {"color": LINE_COLOURS[0], "width": 3}},
        {"type": "scatter", "mode": "lines+markers", "x": weeks,
         "y": _list(weekly["within_target"]), "name": f"share decided within {target}",
         "yaxis": "y2", "connectgaps": False,
         "line": {"color": LINE_COLOURS[2], "dash": "dot"}},
    ]
    layout = _layout("Review queue against capacity", "week", "cases", barmode="stack")
    layout["yaxis2"] = {"title": {"text": f"decided within {target}"}, "overlaying": "y",
                        "side": "right", "range": [0, 1.05], "tickformat": ".0%",
                        "showgrid": False}
    _line(layout, "y", float(capacity), NEUTRAL, "solid", f"capacity {capacity:,}/week", "left",
          width=2)
    return _figure(data, _mark(layout, markers))


def weekly_costs(weekly: pd.DataFrame, unit: str, markers: Markers,
                 ghost: pd.DataFrame | None = None, ghost_name: str = "default band") -> go.Figure:
    weeks = _list(weekly["week"])
    parts = (("cost_fn", "missed positives", ACTION_COLOURS["pass"]),
             ("cost_fp", "false alarms", ACTION_COLOURS["flag"]),
             ("cost_review", "reviews", ACTION_COLOURS["review"]),
             ("cost_retrain", "retraining", LINE_COLOURS[3]))
    data = [{"type": "bar", "x": weeks, "y": _list(weekly[column]), "name": name,
             "marker": {"color": colour}} for column, name, colour in parts]
    data += _ghosts(ghost, ["cost_total"], f"{ghost_name}: total")
    layout = _layout("Weekly cost by kind", "week", f"cost ({unit})", barmode="stack")
    return _figure(data, _mark(layout, markers))


def segment_bars(segments: pd.DataFrame) -> go.Figure:
    # plotly reads <a href>, <b>, ... in labels: segment names come from uploaded files, so
    # they are entity-escaped (plotly shows &lt; as "<", and no tag takes effect)
    names = [html.escape(str(n), quote=False) for n in segments["segment"]]
    data = []
    for i, (column, name) in enumerate((("precision", "precision"), ("recall", "recall"),
                                        ("pass_rate", "pass rate"))):
        values = segments[column].to_numpy(dtype=float)
        data.append({"type": "bar", "x": names, "y": _list(values),
                     "name": name, "marker": {"color": LINE_COLOURS[i]},
                     "text": ["undefined" if not np.isfinite(v) else f"{v:.0%}" for v in values],
                     "textposition": "outside"})
    layout = _layout("Per segment over all weeks", "segment", "share", y_format=".0%",
                     barmode="group", hovermode="closest")
    layout["yaxis"]["range"] = [0, 1.15]
    return _figure(data, layout)


def paired_differences(diff: pd.DataFrame, columns: dict[str, str],
                       better: dict[str, str] | None = None,
                       points: tuple[str, ...] = ()) -> go.Figure:
    """Weekly B - A bars, one small chart per metric stacked vertically (shared week axis).

    ``better`` says per column whether "higher" or "lower" is better for B: a bar is teal when
    B does better that week and red when it does worse (not coloured by sign: a drop in cost
    is good, a drop in approval is bad); columns it omits are grey. Columns in ``points`` are
    shares, drawn in percentage points (B - A x 100, ticks "+0.4 pp")."""
    better = better or {}
    n = len(columns)
    gap = 0.08
    height = (1 - gap * (n - 1)) / n
    layout = {"height": 170 * n + 60, "margin": {"l": 10, "r": 10, "t": 40, "b": 10},
              "showlegend": False, "annotations": [], "shapes": []}
    data = []
    weeks = _list(diff["week"])
    for i, (column, title) in enumerate(columns.items()):
        suffix = "" if i == 0 else str(i + 1)
        top = 1 - i * (height + gap)
        values = diff[column].to_numpy(dtype=float) * (100.0 if column in points else 1.0)
        good = values > 0 if better.get(column) == "higher" else values < 0
        colours = np.where(values == 0, NEUTRAL,
                           np.where(good, ACTION_COLOURS["pass"], ACTION_COLOURS["flag"]))
        if column not in better:
            colours = np.full(len(values), NEUTRAL)
        data.append({"type": "bar", "x": weeks, "y": _list(values), "name": title,
                     "marker": {"color": colours.tolist()}, "xaxis": f"x{suffix}",
                     "yaxis": f"y{suffix}",
                     "hovertemplate": "week %{x}: %{y:+,.2f}"
                                      + (" pp" if column in points else "") + "<extra></extra>"})
        layout[f"yaxis{suffix}"] = {"domain": [max(0.0, top - height), top], "anchor": f"x{suffix}",
                                    "zeroline": True, "automargin": True}
        if column in points:
            layout[f"yaxis{suffix}"].update(ticksuffix=" pp", tickformat="+.2~f")
        layout[f"xaxis{suffix}"] = {"anchor": f"y{suffix}", "matches": "x" if i else None,
                                    "showticklabels": i == n - 1, "automargin": True}
        layout["annotations"].append({"text": title, "x": 0, "xref": "paper", "y": top,
                                      "yref": "paper", "xanchor": "left", "yanchor": "bottom",
                                      "showarrow": False, "font": {"size": 13}})
    layout["xaxis"]["matches"] = None
    layout[f"xaxis{'' if n == 1 else n}"]["title"] = {"text": "week"}
    for key in [k for k in layout if k.startswith("xaxis") and layout[k].get("matches") is None]:
        layout[key].pop("matches")
    return _figure(data, layout)


def frontier_cost(frontier: pd.DataFrame, chosen: dict, current: tuple[float, float] | None,
                  unit: str, ceiling: float | None) -> go.Figure:
    """Cheapest cost at each weekly review budget, the suggestion starred, the current policy
    crossed: what each extra review buys."""
    data = [{"type": "scatter", "x": _list(frontier["review_demand_per_week"]),
             "y": _list(frontier["cost_total"]), "mode": "lines+markers",
             "name": "cheapest at each budget", "line": {"color": LINE_COLOURS[0]},
             "customdata": np.c_[_list(frontier["t_low"]), _list(frontier["t_high"])],
             "hovertemplate": "band %{customdata[0]:.3f} - %{customdata[1]:.3f}<br>"
                              "%{x:,.0f} reviews a week<br>cost %{y:,.0f}<extra></extra>"},
            {"type": "scatter", "x": [chosen["review_demand_per_week"]],
             "y": [chosen["cost_total"]], "mode": "markers", "name": "suggestion",
             "marker": {"size": 16, "symbol": "star", "color": ACTION_COLOURS["review"]}}]
    if current is not None and np.all(np.isfinite(current)):
        data.append({"type": "scatter", "x": [current[0]], "y": [current[1]], "mode": "markers",
                     "name": "current policy",
                     "marker": {"size": 13, "symbol": "x", "color": ACTION_COLOURS["flag"]}})
    layout = _layout("Cost vs review load (within the floors)", "reviews demanded per week",
                     f"total cost ({unit})", hovermode="closest")
    if ceiling is not None:
        _line(layout, "x", float(ceiling), NEUTRAL, "dash", "review ceiling", "left")
    return _figure(data, layout)


def frontier_pr(curves: pd.DataFrame, frontier: pd.DataFrame, chosen: dict,
                floors: tuple[float | None, float | None]) -> go.Figure:
    """The frontier's policies on the model's precision-recall curve, with the floors."""
    data = [{"type": "scatter", "x": _list(curves["recall"]), "y": _list(curves["precision"]),
             "mode": "lines", "name": "single threshold", "line": {"color": NEUTRAL}},
            {"type": "scatter", "x": _list(frontier["recall"]), "y": _list(frontier["precision"]),
             "mode": "markers", "name": "frontier policies",
             "marker": {"size": 9, "color": LINE_COLOURS[0]}},
            {"type": "scatter", "x": [chosen["recall"]], "y": [chosen["precision"]],
             "mode": "markers", "name": "suggestion",
             "marker": {"size": 16, "symbol": "star", "color": ACTION_COLOURS["review"]}}]
    layout = _layout("Precision vs recall of the frontier", "recall", "precision",
                     y_format=".0%", hovermode="closest")
    layout["xaxis"].update(tickformat=".0%", range=[0, 1.02])
    layout["yaxis"]["range"] = [0, 1.02]
    precision_floor, recall_floor = floors
    if precision_floor is not None:
        _line(layout, "y", precision_floor, ACTION_COLOURS["flag"], "dash", "precision floor",
              "left")
    if recall_floor is not None:
        _line(layout, "x", recall_floor, ACTION_COLOURS["flag"], "dash", "recall floor", "left")
    return _figure(data, layout)


def share_tick_format(values, floor: float | None = None) -> str:
    """A percent tick format with enough decimals for the range shown: ".0%" over a wide
    range, ".1%"/".2%" when every value sits within a few points (99.0%-99.4%), so ticks
    never read "99% 99% 99%"."""
    v = np.asarray(values, dtype=float).ravel()
    v = v[np.isfinite(v)]
    if floor is not None:
        v = np.r_[v, floor]
    if not len(v):
        return ".0%"
    span = float(v.max() - v.min())
    return ".0%" if span >= 0.05 else ".1%" if span >= 0.005 else ".2%"


def guardrail_lines(weekly: pd.DataFrame, columns: list[str], title: str, y_title: str,
                    markers: Markers, level: float, level_text: str,
                    share: bool = True) -> go.Figure:
    """Weekly lines of each policy against a guardrail, the guardrail labelled with its exact
    value (``level_text``); a share axis gets as many tick decimals as its range needs."""
    weeks = _list(weekly["week"])
    data = [{"type": "scatter", "x": weeks, "y": _list(weekly[column]), "mode": "lines+markers",
             "name": column, "line": {"color": LINE_COLOURS[i % len(LINE_COLOURS)]},
             "connectgaps": False} for i, column in enumerate(columns)]
    layout = _layout(title, "week", y_title,
                     y_format=share_tick_format(weekly[columns], level) if share else None)
    if share:
        layout["yaxis"]["hoverformat"] = ".2%"
    # the legend under the plot: policy names are long and would cover the title
    layout["legend"] = {"orientation": "h", "yanchor": "top", "y": -0.2, "x": 0}
    layout["margin"]["b"] = 40
    _line(layout, "y", float(level), ACTION_COLOURS["flag"], "dash", level_text, "left")
    return _figure(data, _mark(layout, markers))
