"""Putting a plotly figure on the page: taller, with larger text, in presenter mode, and with
the mode bar shown only on hover (it would otherwise sit on top of the chart's title).

A figure can also come already in the form Streamlit sends (``SentFigure``): views shared by
many sessions are kept that way, so drawing one costs neither a build nor a copy."""

from __future__ import annotations

import plotly.graph_objects as go
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


class SentFigure(go.Figure):
    """A figure held as the dictionary ``st.plotly_chart`` sends: Streamlit asks a figure for
    ``to_dict()`` (a deep copy of every trace, ~0.5 ms a chart) and encodes that; this one
    returns its dictionary as it is. Read-only: it is shared by the sessions showing it, and
    it is not a figure to change (plotly's constructor, ~0.3 ms even for an empty figure, is
    skipped on purpose: nothing but ``to_dict`` is ever asked of it)."""

    def __init__(self, sent: dict):  # go.Figure.__init__ is not called (see above)
        self.__dict__["_sent"] = sent

    def to_dict(self) -> dict:
        return self._sent


def ready(sent: dict, presenter: bool) -> SentFigure:
    """A figure in sent form (``tradeoff_figures.sent_form``), enlarged for a projector when
    ``presenter`` (made once per view and shared, like the figure itself)."""
    if presenter:
        sent = presenter_figure(go.Figure(sent, _validate=False)).to_dict()
    return SentFigure(sent)


def presenting() -> bool:
    """Whether this session is in presenter mode (charts drawn for the back of the room)."""
    return bool(st.session_state.get("present"))


def chart(container, fig, key: str) -> None:
    """Draw a figure; taller and larger in presenter mode so the back of the room can read it
    (a ``SentFigure`` comes from ``ready``, sized already)."""
    if presenting() and not isinstance(fig, SentFigure):
        presenter_figure(fig)
    container.plotly_chart(fig, key=key, config=CONFIG)
