"""Widgets for per-segment bands: which segments get their own band, and one slider each.

The controls are ordinary ``Control`` specs, so they are bound to the URL, kept across page
switches and guarded like every other control; ``render_segment_bands`` draws them in an
expander and returns ``policy.by_segment`` as the scenario wants it.
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from dashboard.controls import BAND_STEP, Control, render
from simulations.domains import Domain


def segment_band_controls(domain: Domain, default: tuple[float, float],
                          prefix: str = "seg") -> list[Control]:
    """A multiselect of segments with their own band, then one band slider per segment."""
    words = domain.actions
    pick = Control(f"{prefix}_own", "Segments with their own band", "multi", (),
                   "Each segment chosen here gets its own band; the others follow the main "
                   "band. The weekly review capacity stays one queue shared by every segment, "
                   "riskiest first.", options=tuple(domain.segments))
    sliders = [
        Control(f"{prefix}_{s}", f"{s}: {words['pass']}  |  {words['review']}  |  "
                                 f"{words['flag']}", "range", tuple(default),
                f"The band for segment '{s}' only.", lo=0.0, hi=1.0, step=BAND_STEP,
                widget="slider", fmt="%.3f",
                visible=lambda v, s=s, key=pick.name: s in v.get(key, ()))
        for s in domain.segments
    ]
    return [pick, *sliders]


def render_segment_bands(controls: list[Control], page: str,
                         title: str = "Bands per segment") -> tuple[dict[str, tuple], dict]:
    """Draw the controls in an expander. Returns (by_segment, the controls' values)."""
    pick, *sliders = controls
    values: dict[str, Any] = {}
    chosen = st.session_state.get(pick.key(page)) or ()
    with st.expander(f"{title} ({len(chosen)} set)" if chosen else title,
                     icon=":material/tune:"):
        values[pick.name] = render(pick, page)
        for control in sliders:
            if control.visible(values):
                values[control.name] = render(control, page)
            else:
                values[control.name] = control.default
    prefix = pick.name[: -len("_own")]
    by_segment = {s: tuple(values[f"{prefix}_{s}"]) for s in values[pick.name]}
    return by_segment, values
