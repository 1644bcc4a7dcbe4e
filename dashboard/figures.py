"""Putting a plotly figure on the page: taller, with larger text, in presenter mode."""

from __future__ import annotations

import streamlit as st


def chart(container, fig, key: str) -> None:
    """Draw a figure; taller in presenter mode so the back of the room can read it."""
    if st.session_state.get("present"):
        fig.update_layout(height=520, font={"size": 16})
    container.plotly_chart(fig, key=key)
