"""The "Show the range over N worlds" switch of the Over time tab: the same scenario in other
worlds (other seeds), with the 5th-95th percentile of each weekly metric drawn behind the
single run's lines, so a week-to-week wobble can be told from a real movement."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import seam
from simulations.experiments import weekly_bands

WORLD_CHOICES = (10, 30, 50)


def ranges(domain, scenario) -> tuple[pd.DataFrame | None, int]:
    """The switch; when on, the weekly ranges of the current band (None when off)."""
    page = domain.name
    left, right = st.columns([2, 1])
    on = left.toggle("Show the range over N worlds", key=f"{page}_ranges",
                     help="Simulate the same scenario in other worlds (other seeds) and shade "
                          "the band 90% of them fall in, week by week, behind this run's lines.")
    worlds = right.select_slider("N worlds", WORLD_CHOICES, value=30, key=f"{page}_range_n",
                                 label_visibility="collapsed",
                                 format_func=lambda n: f"{n} worlds")
    if not on:
        return None, worlds
    spec = seam.ensemble_spec(scenario, worlds)
    p = scenario.policy
    result = seam.ensemble(spec, bands=[(p.t_low, p.t_high)])
    st.caption(f"Shaded: the 5th-95th percentile over {worlds} worlds of this scenario, each "
               f"simulated with its own seed and {spec.base.population.events_per_week:,} events "
               f"a week (this run: {scenario.population.events_per_week:,}; fewer events keep an "
               f"ensemble quick, and make each world's weeks a little noisier). The line is this "
               f"run; a movement inside the shading is what chance alone gives.")
    return weekly_bands(result, (p.t_low, p.t_high)), worlds
