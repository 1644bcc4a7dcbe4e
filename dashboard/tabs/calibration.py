"""The Over time tab's calibration section: the reliability diagram of one week or the whole
run with the band's thresholds, the weekly expected calibration error, and what
miscalibration does to the thresholds."""

from __future__ import annotations

import streamlit as st

from dashboard import charts
from dashboard.calibration_charts import reliability_diagram
from dashboard.figures import chart
from simulations.reporting.calibration import run_reliability, threshold_note


def draw(domain, scenario, result, weekly, markers) -> None:
    st.subheader("Is a score a probability? Calibration")
    weeks = [int(w) for w in weekly["week"]]
    pick = st.select_slider("Reliability diagram of", options=["all weeks", *weeks],
                            value="all weeks", key=f"{domain.name}_calibration_week",
                            help="Every event of the run, or one week's (to see drift or a "
                                 "retraining change what a score means).")
    week = None if pick == "all weeks" else int(pick)
    table = run_reliability(result, week)
    p = scenario.policy
    left, right = st.columns(2)
    title = "Reliability: all weeks" if week is None else f"Reliability: week {week}"
    chart(left, reliability_diagram(table, p.t_low, p.t_high, domain.actions, title),
          key="reliability")
    chart(right, charts.weekly_lines(
        weekly, {"calibration_error": "expected calibration error"},
        "Calibration error by week (ECE, 10 equal bins)", "mean |score - observed rate|",
        markers), key="ece_time")
    st.caption(threshold_note(table, p.t_low, p.t_high, domain.actions) + " Points are "
               "equal-width score bins (scikit-learn's calibration_curve); a point's size "
               "is the number of events in its bin.")
