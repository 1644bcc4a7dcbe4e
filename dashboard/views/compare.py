"""Compare two policies on identical traffic (common random numbers): paired weekly differences."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
import streamlit as st

from dashboard import charts, paired_block, seam
from dashboard.controls import BAND_STEP, Control, check_url, finish_url_check, render
from dashboard.segment_band_controls import render_segment_bands, segment_band_controls
from simulations.domains import DOMAINS, get_domain
from simulations.scenario import DriftSpec, ScenarioError, default_scenario

PAGE = "compare"
DRIFT_WORDS = {"none": "no drift", "covariate": "covariate shift", "prior": "prior shift",
               "concept": "concept drift", "cohort": "cohort mix"}

st.title("Compare two policies")
st.caption("Both policies see exactly the same events (same seed), so each weekly difference "
           "is the policy's effect, not noise.")

domain_control = Control("domain", "Domain", "choice", "fraud",
                         "Which world to run both policies in.",
                         options=tuple(DOMAINS), labels={d: DOMAINS[d].title for d in DOMAINS})
general = [
    domain_control,
    Control("weeks", "Weeks", "int", 26, "The horizon of both runs.", lo=4, hi=52, step=1,
            widget="slider"),
    Control("seed", "Random seed", "int", 0, "Same seed, same traffic for A and B.", lo=0,
            hi=999_999, step=1),
    Control("drift", "Drift", "choice", "none", "A change in the world both policies face.",
            options=tuple(DRIFT_WORDS), labels=DRIFT_WORDS),
    Control("onset", "Drift starts in week", "int", 9, "First week of the drift.", lo=1, hi=52,
            step=1, widget="slider"),
]


def band_controls(name: str) -> list[Control]:
    """Bands A and B of one domain (default: its starting policy, and twice as sensitive)."""
    d = get_domain(name)
    words = f"{d.actions['pass']} | {d.actions['review']} | {d.actions['flag']}"
    t_low, t_high = d.policy
    return [
        Control(f"{name}_a", f"Policy A: {words}", "range", (t_low, t_high),
                "Policy A's band (default: the domain's starting policy).", lo=0.0, hi=1.0,
                step=BAND_STEP, widget="slider", fmt="%.3f"),
        Control(f"{name}_b", f"Policy B: {words}", "range",
                (round(t_low / 2, 3), round(t_high / 2, 3)),
                "Policy B's band (default: twice as sensitive as the starting policy).",
                lo=0.0, hi=1.0, step=BAND_STEP, widget="slider", fmt="%.3f"),
    ]


bands = {name: band_controls(name) for name in DOMAINS}
# per-segment bands of A and B, one set per domain
seg_bands = {name: (segment_band_controls(get_domain(name), bands[name][0].default,
                                          f"{name}_a_seg"),
                    segment_band_controls(get_domain(name), bands[name][1].default,
                                          f"{name}_b_seg"))
             for name in DOMAINS}
for message in check_url(general + [c for pair in bands.values() for c in pair]
                         + [c for pair in seg_bands.values() for side in pair for c in side],
                         PAGE):
    st.warning(message, icon=":material/warning:")

with st.sidebar:
    values = {c.name: render(c, PAGE) for c in general}
domain = get_domain(values["domain"])
left, right = st.columns(2)
with left:
    band_a = render(bands[domain.name][0], PAGE)
    segments_a = render_segment_bands(seg_bands[domain.name][0], PAGE,
                                      "Policy A: bands per segment")[0]
with right:
    band_b = render(bands[domain.name][1], PAGE)
    segments_b = render_segment_bands(seg_bands[domain.name][1], PAGE,
                                      "Policy B: bands per segment")[0]
finish_url_check(PAGE)

try:
    drift = ()
    if values["drift"] != "none":
        strength = 1.0 if values["drift"] == "prior" else 0.8
        drift = (DriftSpec(values["drift"], int(values["onset"]), strength, 3),)
    scenario = replace(default_scenario(domain.name), seed=int(values["seed"]), drift=drift)
    scenario = scenario.with_changes(population={"weeks": int(values["weeks"])})
except ScenarioError as err:
    st.error(f"These settings cannot be simulated: {err}")
    st.stop()

try:
    comparison = seam.compare(scenario, (*band_a, tuple(segments_a.items())),
                              (*band_b, tuple(segments_b.items())))
except seam.RunTooLarge as err:
    st.error(f"Not simulated: {err}.", icon=":material/memory:")
    st.stop()
totals = comparison.totals.set_index("metric")
unit = domain.unit
words = domain.actions
pass_word = f"'{words['pass']}' rate"
SHARES = ("pass_rate", "precision", "recall")
# readable names for the table, in the domain's words, and which way is better for B
NAMES = {"cost_total": "total cost", "cost_fn": f"cost of missed {domain.positive_word}",
         "cost_fp": "cost of false alarms", "cost_review": "cost of reviews",
         "pass_rate": pass_word, "precision": "precision", "recall": "recall",
         "flagged": f"final '{words['flag']}' decisions", "reviewed": "reviews done",
         "review_overflow": "over review capacity",
         "fn": f"missed {domain.positive_word}",
         "fp": f"false alarms ({domain.negative_word} but '{words['flag']}')"}
BETTER = {"cost_total": "lower", "cost_fn": "lower", "cost_fp": "lower", "cost_review": "lower",
          "pass_rate": "higher", "precision": "higher", "recall": "higher", "fn": "lower",
          "fp": "lower", "review_overflow": "lower"}


def _fmt(metric: str, value: float, signed: bool = False) -> str:
    if not np.isfinite(value):
        return "undefined"
    if metric in SHARES:
        return f"{value * 100:+.2f} pp" if signed else f"{value:.2%}"
    sign = ("-" if value < 0 else "+" if signed and value > 0 else "")
    if metric.startswith("cost"):
        return f"{sign}${abs(value):,.0f}" if unit == "$" else f"{sign}{abs(value):,.0f} {unit}"
    return f"{sign}{abs(value):,.0f}"


cols = st.columns(4)
for col, (metric, label) in zip(cols, (
        ("cost_total", "Total cost, B - A"),
        ("pass_rate", f"{pass_word}, B - A"),
        ("recall", "Recall, B - A"),
        ("reviewed", "Reviews done, B - A")), strict=True):
    diff = totals.loc[metric, "B - A"]
    col.metric(label, _fmt(metric, diff, signed=True),
               help=f"A: {_fmt(metric, totals.loc[metric, 'A'])}; "
                    f"B: {_fmt(metric, totals.loc[metric, 'B'])} over {values['weeks']} weeks.",
               border=True)

capacity = scenario.review.capacity
for name, weekly in (("A", comparison.a), ("B", comparison.b)):
    overflow = float(weekly["review_overflow"].sum())
    if overflow > 0:
        busy = int((weekly["review_overflow"] > 0).sum())
        st.warning(f"Policy {name} sends {overflow:,.0f} events to {words['review']} beyond the "
                   f"capacity of {capacity:,} a week ({busy} of {len(weekly)} weeks overflow): "
                   f"they end '{words[scenario.review.unreviewed_action]}' unreviewed.",
                   icon=":material/warning:")

if tuple(band_a) == tuple(band_b) and segments_a == segments_b:
    st.info("A and B are the same policy: on identical traffic every difference is zero.")
st.caption("Teal bars: B does better than A that week; red: B does worse; grey: neither.")
st.plotly_chart(charts.paired_differences(comparison.difference, {
    "cost_total": f"total cost, B - A ({unit})",
    "pass_rate": f"{pass_word}, B - A (percentage points)",
    "recall": "recall, B - A (percentage points)",
    "reviewed": "reviews done, B - A"}, better=BETTER, points=SHARES), key="paired")
# money first, then the rates, then the counts behind them
order = [m for m in NAMES if m in totals.index]
table = pd.DataFrame({
    "figure": [NAMES[m] for m in order],
    **{f"policy {c}" if c != "B - A" else c:
       [_fmt(m, totals.loc[m, c], signed=c == "B - A") for m in order]
       for c in ("A", "B", "B - A")}})
st.dataframe(table, hide_index=True, width="stretch", height="content")
paired_block.draw(domain, scenario, band_a, band_b)
