"""Pure functions that turn simulation summaries into plotly figures (no Streamlit here).

One palette for the three actions everywhere (pass, review, flag) and one for the two true
classes; colours are mid-tone so they read on light and dark backgrounds. Every axis has a
title with its unit; drift onsets and retrainings are marked on every time chart.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import plotly.graph_objects as go

ACTION_COLOURS = {"pass": "#2a9d8f", "review": "#e9a23b", "flag": "#d1495b"}
CLASS_COLOURS = {"positive": "#d1495b", "negative": "#4c78a8"}
LINE_COLOURS = ("#4c78a8", "#d1495b", "#2a9d8f", "#9c6ade", "#e9a23b", "#7f7f7f")
CAPACITY_COLOUR = "#7f7f7f"
HEIGHT = 360


@dataclass(frozen=True)
class Markers:
    """Weeks to mark on time charts."""

    drift_onsets: tuple[int, ...] = ()
    retrainings: tuple[int, ...] = ()


def _layout(fig: go.Figure, title: str, x_title: str, y_title: str, *,
            height: int = HEIGHT, y_format: str | None = None) -> go.Figure:
    fig.update_layout(
        title={"text": title, "x": 0, "xanchor": "left"},
        height=height,
        margin={"l": 10, "r": 10, "t": 50, "b": 10},
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.0, "x": 1, "xanchor": "right"},
        hovermode="x unified",
    )
    fig.update_xaxes(title_text=x_title)
    fig.update_yaxes(title_text=y_title)
    if y_format:
        fig.update_yaxes(tickformat=y_format)
    return fig


def _mark(fig: go.Figure, markers: Markers) -> go.Figure:
    for week in markers.drift_onsets:
        fig.add_vline(x=week - 0.5, line_dash="dash", line_color="#9c6ade",
                      annotation_text="drift starts", annotation_position="top left")
    for week in markers.retrainings:
        # a model retrained at the end of week w serves from week w + 1
        fig.add_vline(x=week + 0.5, line_dash="dot", line_color=CAPACITY_COLOUR,
                      annotation_text="retrained", annotation_position="top right")
    return fig


def score_distribution(hist: pd.DataFrame, t_low: float, t_high: float, words: dict[str, str],
                       positive: str, negative: str, log_x: bool) -> go.Figure:
    """Share of each true class per score bin, with the three action regions shaded."""
    centres = np.sqrt(np.maximum(hist["lower"], 1e-5) * hist["upper"]) if log_x else \
        (hist["lower"] + hist["upper"]) / 2
    widths = hist["upper"] - hist["lower"]
    fig = go.Figure()
    for column, name, colour in (("share_negatives", f"truly {negative}", CLASS_COLOURS["negative"]),
                                 ("share_positives", f"truly {positive}", CLASS_COLOURS["positive"])):
        fig.add_bar(x=centres, y=hist[column], width=widths, name=name, marker_color=colour,
                    opacity=0.65, hovertemplate="score %{x:.3g}: %{y:.1%}<extra>" + name + "</extra>")
    lo = max(t_low, 1e-4) if log_x else t_low
    fig.add_vrect(x0=1e-4 if log_x else 0, x1=lo, fillcolor=ACTION_COLOURS["pass"], opacity=0.08,
                  line_width=0, annotation_text=words["pass"], annotation_position="top left")
    if t_high > t_low:
        fig.add_vrect(x0=lo, x1=t_high, fillcolor=ACTION_COLOURS["review"], opacity=0.18,
                      line_width=0, annotation_text=words["review"],
                      annotation_position="top left")
    fig.add_vrect(x0=t_high, x1=1, fillcolor=ACTION_COLOURS["flag"], opacity=0.08, line_width=0,
                  annotation_text=words["flag"], annotation_position="top right")
    fig.update_layout(barmode="overlay", bargap=0)
    _layout(fig, "Scores by true class, with the decision band", "model score (probability)",
            "share of the class's events", y_format=".0%")
    fig.update_layout(hovermode="closest")
    if log_x:
        fig.update_xaxes(type="log", range=[-4, 0], title_text="model score (log scale)")
    else:
        fig.update_xaxes(range=[0, 1])
    return fig


def precision_recall(curves: pd.DataFrame, point: tuple[float, float], base_rate: float) -> go.Figure:
    fig = go.Figure()
    fig.add_scatter(x=curves["recall"], y=curves["precision"], mode="lines", name="model",
                    line_color=LINE_COLOURS[0], customdata=curves["thresholds"],
                    hovertemplate="threshold %{customdata:.3f}<br>recall %{x:.1%}<br>"
                                  "precision %{y:.1%}<extra></extra>")
    fig.add_hline(y=base_rate, line_dash="dot", line_color=CAPACITY_COLOUR,
                  annotation_text="random guessing", annotation_position="bottom right")
    if np.all(np.isfinite(point)):
        fig.add_scatter(x=[point[0]], y=[point[1]], mode="markers", name="current policy",
                        marker={"size": 13, "color": ACTION_COLOURS["flag"], "symbol": "x"})
    _layout(fig, "Precision vs recall", "recall (share of positives caught)",
            "precision (share of flags that are right)", y_format=".0%")
    fig.update_xaxes(tickformat=".0%", range=[0, 1])
    fig.update_yaxes(range=[0, 1.02])
    fig.update_layout(hovermode="closest")
    return fig


def roc(curves: pd.DataFrame, point: tuple[float, float], auc: float) -> go.Figure:
    fig = go.Figure()
    fig.add_scatter(x=np.r_[0, curves["fpr"]], y=np.r_[0, curves["recall"]], mode="lines",
                    name=f"model (AUC {auc:.3f})", line_color=LINE_COLOURS[0])
    fig.add_scatter(x=[0, 1], y=[0, 1], mode="lines", name="random guessing",
                    line={"dash": "dot", "color": CAPACITY_COLOUR})
    if np.all(np.isfinite(point)):
        fig.add_scatter(x=[point[0]], y=[point[1]], mode="markers", name="current policy",
                        marker={"size": 13, "color": ACTION_COLOURS["flag"], "symbol": "x"})
    _layout(fig, "ROC curve", "false positive rate (share of negatives flagged)",
            "true positive rate (recall)", y_format=".0%")
    fig.update_xaxes(tickformat=".0%", range=[0, 1])
    fig.update_layout(hovermode="closest")
    return fig


def confusion_heatmap(matrix: pd.DataFrame) -> go.Figure:
    values = matrix.to_numpy()
    shares = values / max(values.sum(), 1)
    text = [[f"{v:,}<br>({s:.1%})" for v, s in zip(row, srow, strict=True)]
            for row, srow in zip(values, shares, strict=True)]
    fig = go.Figure(go.Heatmap(z=np.log1p(values), x=list(matrix.columns), y=list(matrix.index),
                               text=text, texttemplate="%{text}", showscale=False,
                               colorscale="Blues", hoverinfo="skip"))
    _layout(fig, "Final decisions against the truth (all weeks)", "final decision", "truth",
            height=300)
    fig.update_yaxes(autorange="reversed")
    return fig


def cost_vs_threshold(curve: pd.DataFrame, best: tuple[float, float], current_cost: float,
                      unit: str) -> go.Figure:
    fig = go.Figure()
    fig.add_scatter(x=curve["threshold"], y=curve["cost_total"], mode="lines",
                    name="total cost, no review band", line_color=LINE_COLOURS[0])
    fig.add_scatter(x=curve["threshold"], y=curve["cost_fn"], mode="lines", name="missed positives",
                    line={"color": ACTION_COLOURS["pass"], "dash": "dot"})
    fig.add_scatter(x=curve["threshold"], y=curve["cost_fp"], mode="lines", name="false alarms",
                    line={"color": ACTION_COLOURS["flag"], "dash": "dot"})
    fig.add_scatter(x=[best[0]], y=[best[1]], mode="markers+text", name="cheapest threshold",
                    text=[f"min at {best[0]:.3f}"], textposition="top center",
                    marker={"size": 12, "color": LINE_COLOURS[3], "symbol": "diamond"})
    fig.add_hline(y=current_cost, line_dash="dash", line_color=ACTION_COLOURS["review"],
                  annotation_text="current policy (with review)", annotation_position="top right")
    _layout(fig, "Total cost over the horizon vs a single threshold",
            "threshold (flag when score ≥ threshold)", f"cost ({unit})")
    return fig


def weekly_lines(weekly: pd.DataFrame, columns: dict[str, str], title: str, y_title: str,
                 markers: Markers, *, y_format: str | None = None,
                 hlines: dict[str, float] | None = None) -> go.Figure:
    """One line per column (legend name as value); NaN weeks stay gaps, never zeros."""
    fig = go.Figure()
    for i, (column, name) in enumerate(columns.items()):
        fig.add_scatter(x=weekly["week"], y=weekly[column], mode="lines+markers", name=name,
                        line_color=LINE_COLOURS[i % len(LINE_COLOURS)], connectgaps=False)
    for name, level in (hlines or {}).items():
        fig.add_hline(y=level, line_dash="dot", line_color=CAPACITY_COLOUR,
                      annotation_text=name, annotation_position="top left")
    _layout(fig, title, "week", y_title, y_format=y_format)
    return _mark(fig, markers)


def review_load(weekly: pd.DataFrame, capacity: int, words: dict[str, str],
                markers: Markers) -> go.Figure:
    fig = go.Figure()
    fig.add_bar(x=weekly["week"], y=weekly["reviewed"], name=f"{words['review']}: done",
                marker_color=ACTION_COLOURS["review"])
    fig.add_bar(x=weekly["week"], y=weekly["review_overflow"], name="overflow (not reviewed)",
                marker_color=ACTION_COLOURS["flag"], marker_pattern_shape="/")
    fig.add_hline(y=capacity, line_color=CAPACITY_COLOUR, line_width=2,
                  annotation_text=f"capacity {capacity:,}/week", annotation_position="top left")
    fig.update_layout(barmode="stack")
    _layout(fig, "Review demand against capacity", "week", "events sent to review")
    return _mark(fig, markers)


def weekly_costs(weekly: pd.DataFrame, unit: str, markers: Markers) -> go.Figure:
    fig = go.Figure()
    parts = (("cost_fn", "missed positives", ACTION_COLOURS["pass"]),
             ("cost_fp", "false alarms", ACTION_COLOURS["flag"]),
             ("cost_review", "reviews", ACTION_COLOURS["review"]),
             ("cost_retrain", "retraining", LINE_COLOURS[3]))
    for column, name, colour in parts:
        fig.add_bar(x=weekly["week"], y=weekly[column], name=name, marker_color=colour)
    fig.update_layout(barmode="stack")
    _layout(fig, "Weekly cost by kind", "week", f"cost ({unit})")
    return _mark(fig, markers)


def segment_bars(segments: pd.DataFrame) -> go.Figure:
    fig = go.Figure()
    for i, (column, name) in enumerate((("precision", "precision"), ("recall", "recall"),
                                        ("pass_rate", "pass rate"))):
        fig.add_bar(x=segments["segment"], y=segments[column], name=name,
                    marker_color=LINE_COLOURS[i],
                    text=[("undefined" if not np.isfinite(v) else f"{v:.0%}")
                          for v in segments[column]], textposition="outside")
    fig.update_layout(barmode="group")
    _layout(fig, "Per segment over all weeks", "segment", "share", y_format=".0%")
    fig.update_yaxes(range=[0, 1.15])
    return fig


def paired_differences(diff: pd.DataFrame, columns: dict[str, str], unit: str) -> go.Figure:
    """Weekly B - A bars, one small chart per metric stacked vertically."""
    from plotly.subplots import make_subplots

    fig = make_subplots(rows=len(columns), cols=1, shared_xaxes=True,
                        subplot_titles=list(columns.values()), vertical_spacing=0.08)
    for i, column in enumerate(columns, start=1):
        values = diff[column]
        colours = np.where(values > 0, ACTION_COLOURS["flag"], ACTION_COLOURS["pass"])
        fig.add_bar(x=diff["week"], y=values, marker_color=colours, showlegend=False,
                    row=i, col=1, name=columns[column])
    fig.update_layout(height=170 * len(columns) + 60, margin={"l": 10, "r": 10, "t": 40, "b": 10})
    fig.update_xaxes(title_text="week", row=len(columns), col=1)
    return fig
