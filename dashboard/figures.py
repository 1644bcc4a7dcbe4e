"""Putting a plotly figure on the page: taller, with larger text, in presenter mode, and with
the mode bar shown only on hover (it would otherwise sit on top of the chart's title)."""

from __future__ import annotations

import streamlit as st

CONFIG = {"displayModeBar": "hover", "displaylogo": False}
# Presenter sizes, set on every text element explicitly: the page theme overrides a bare
# layout font size, so ticks would stay about 11 px at the back of the room.
PRESENTER_FONTS = {"tick": 16, "axis_title": 18, "title": 22, "legend": 16, "note": 15}


def presenter_figure(fig):
    """``fig`` enlarged for a projector (returned for chaining)."""
    size = PRESENTER_FONTS
    fig.update_layout(height=max(fig.layout.height or 0, 520), font={"size": size["tick"]},
                      title={"font": {"size": size["title"]}},
                      legend={"font": {"size": size["legend"]}},
                      margin={"t": 70})
    fig.update_xaxes(tickfont={"size": size["tick"]}, title={"font": {"size": size["axis_title"]}})
    fig.update_yaxes(tickfont={"size": size["tick"]}, title={"font": {"size": size["axis_title"]}})
    fig.update_annotations(font={"size": size["note"]})
    for trace in fig.data:  # numbers written on bars and heatmap cells
        if "textfont" in trace:
            trace.textfont = {"size": size["tick"]}
    return fig


def chart(container, fig, key: str) -> None:
    """Draw a figure; taller and larger in presenter mode so the back of the room can read it."""
    if st.session_state.get("present"):
        presenter_figure(fig)
    container.plotly_chart(fig, key=key, config=CONFIG)
