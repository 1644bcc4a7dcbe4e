"""The Suggest tab's Fairness section: a strategy and a tolerance in, bands per segment out,
the price of the constraint in money, the gap reached, and one click that sets the page's
per-segment band sliders."""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

from dashboard import seam
from simulations.policy.fairness import DEFAULT_TOLERANCE, METRIC_OF, STRATEGIES, WORDS
from simulations.reporting.money import signed_money, whole_money
from simulations.reporting.summary import format_share

LABELS = {
    "single": "One band for everyone (cheapest)",
    "per_segment": "Cheapest band per segment",
    "equal_pass_rate": "Equal pass rate (demographic parity)",
    "equal_recall": "Equal recall (equal opportunity)",
    "equal_fpr": "Equal false positive rate",
    "equal_precision": "Equal precision",
}


def _apply(page: str, bands: dict[str, tuple[float, float]]) -> None:
    st.session_state[f"{page}_seg_own"] = list(bands)
    for name, band in bands.items():
        st.session_state[f"{page}_seg_{name}"] = tuple(band)


def draw(domain, scenario, guardrails, page: str) -> None:
    st.subheader("Fairness across segments")
    if scenario.impact.enabled:
        st.info("In this scenario the decisions change who arrives in later weeks (delayed "
                "impact), so every set of bands per segment has its own traffic: a fairness "
                "search needs fixed scores. The Over time tab follows the gap of the bands "
                "in use.", icon=":material/info:")
        return
    if scenario.policy_changes_labels:
        st.info("This scenario retrains on the labels its own decisions reveal, so every set "
                "of bands per segment has its own model history: a fairness search needs "
                "fixed scores. Never retrain, or use full feedback with a label delay of 0 "
                "(reviewers' verdicts are then replaced by the outcomes at once) and retrain "
                "every K weeks or on drift.", icon=":material/info:")
        return
    left, right = st.columns([2, 1])
    strategy = left.selectbox("Strategy", STRATEGIES, format_func=LABELS.get,
                              key=f"{page}_fair_strategy",
                              help="Which figure must be (nearly) equal across segments. "
                                   "Thresholds are fixed per segment, never randomised.")
    tolerance_pp = right.number_input(
        "Largest gap allowed (pp)", min_value=0.0, max_value=100.0,
        value=DEFAULT_TOLERANCE * 100, step=0.5, format="%.1f", key=f"{page}_fair_tolerance",
        disabled=strategy not in METRIC_OF,
        help="Between the highest and the lowest segment, in percentage points.")
    found = seam.fairness(scenario, guardrails, strategy, tolerance_pp / 100)
    if not found.bands:
        st.warning(found.message or "No band on the slider's grid meets the guardrails.",
                   icon=":material/block:")
        return
    if not found.feasible:
        st.warning(found.message + " The bands below reach the smallest gap found.",
                   icon=":material/block:")
    metric = found.metric
    cols = st.columns(4)
    cols[0].metric("Total cost", whole_money(found.cost_total, domain.unit), border=True,
                   help="Over the run's whole horizon, with the review capacity shared by "
                        "all segments (riskiest first), as the page computes it.")
    cols[1].metric("Price vs cheapest per segment",
                   signed_money(found.price["vs_per_segment"], domain.unit), border=True,
                   help="What this strategy costs more than the cheapest bands per segment.")
    cols[2].metric("Price vs one band for all",
                   signed_money(found.price["vs_single"], domain.unit), border=True,
                   help="Against the cheapest single band shared by every segment "
                        "(negative: cheaper than it).")
    cols[3].metric(f"Gap in {WORDS[metric]}" if metric else "Four-fifths ratio",
                   f"{found.gap * 100:.1f} pp" if metric and np.isfinite(found.gap)
                   else "undefined" if metric else f"{found.four_fifths_ratio:.2f}",
                   border=True, help=found.four_fifths_note if not metric else
                   "Highest segment minus lowest, at the bands shown.")
    rows = []
    for name, (lo, hi) in found.bands.items():
        m = found.segments[name]
        rows.append({"segment": name, "t_low": lo, "t_high": hi, "recall": m["recall"],
                     "precision": m["precision"], "pass_rate": m["pass_rate"],
                     "fpr": m["fpr"], "reviews": m["reviews"]})
    pct = {k: st.column_config.NumberColumn(k, format="percent")
           for k in ("recall", "precision", "fpr", "reviews")}
    pct["pass_rate"] = st.column_config.NumberColumn(f"'{domain.actions['pass']}' rate",
                                                     format="percent")
    pct["reviews"] = st.column_config.NumberColumn("reviewed (share)", format="percent")
    st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch", column_config={
        "t_low": st.column_config.NumberColumn(format="%.3f"),
        "t_high": st.column_config.NumberColumn(format="%.3f"), **pct})
    st.caption(f"Four-fifths ratio {format_share(found.four_fifths_ratio)}: "
               f"{found.four_fifths_note} "
               + ("" if found.exact else "The shared review capacity binds for these bands: "
                  "they are the best of the candidates checked exactly, not proven optimal."))
    st.button("Apply these bands per segment", icon=":material/check:",
              key=f"{page}_fair_apply", on_click=_apply, args=(page, found.bands),
              disabled=not found.feasible)
