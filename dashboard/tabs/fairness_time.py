"""The Over time tab's fairness section: per-segment bands chosen for an equality on the first
weeks, then kept while the world drifts and the model is retrained. The weekly gap against the
tolerance, the weekly price of the constraint, and the first week the gap reopens. When the
decisions change who arrives (delayed impact), each segment's share of the traffic week by
week and the gap of the bands in use instead."""

from __future__ import annotations

import streamlit as st

from dashboard import fairness_charts, seam
from dashboard.figures import chart
from dashboard.tabs.fairness import LABELS
from simulations.policy.fairness import DEFAULT_TOLERANCE, METRIC_OF, WORDS
from simulations.policy.fairness_weekly import default_fit_weeks


def _moved(domain, scenario, markers, weekly) -> None:
    """Delayed impact: the segments' shares moving, and the gap of the bands in use."""
    page, spec = domain.name, domain.impact
    st.markdown(f"In this scenario the decisions change who arrives: each week, "
                f"{scenario.impact_response:.0%} of the people behind {spec.harm} do not "
                "come back, so their segment's share of the next weeks' traffic falls. No "
                "other band can be answered from this run's scores, so the gap followed here "
                "is that of the bands in use.")
    a, b = st.columns(2)
    options = ("equal_recall", *(k for k in METRIC_OF if k != "equal_recall"))
    strategy = a.selectbox("Equality to follow", options, format_func=LABELS.get,
                           key=f"{page}_ot_fair_strategy")
    tolerance_pp = b.number_input(
        "Largest gap allowed (pp)", min_value=0.0, max_value=100.0,
        value=DEFAULT_TOLERANCE * 100, step=0.5, format="%.1f", key=f"{page}_ot_fair_tolerance",
        help="Between the highest and the lowest segment, in percentage points.")
    pooled = st.slider("Pool each week with the weeks before it (weeks in all)", 1,
                       min(8, scenario.population.weeks), 1, key=f"{page}_ot_fair_pooled",
                       help="A small segment's weekly rate is noisy: pooling a few weeks "
                            "steadies the gap and delays what it shows.")
    found = seam.gap_in_use(scenario, strategy, tolerance_pp / 100, pooled)
    left, right = st.columns(2)
    chart(left, fairness_charts.traffic_shares(weekly, domain.segments, markers),
          key="traffic_share_time")
    chart(right, fairness_charts.fairness_gap(found.weekly, found.tolerance, 0,
                                              WORDS[found.metric], markers), key="fair_gap_time")
    st.markdown(found.sentence())
    st.caption(f"Dotted: each segment's share of the traffic the world would have sent had no "
               f"decision changed who comes back (the same draw). The default response "
               f"comes from: {spec.source}. The shaded band around the gap is how far the "
               "same week would move in another draw of the same world (95%, binomial).")


def draw(domain, scenario, markers, weekly=None) -> None:
    page = domain.name
    st.subheader("Fairness over time")
    if scenario.impact.enabled and weekly is not None:
        _moved(domain, scenario, markers, weekly)
        return
    if scenario.policy_changes_labels:
        st.info("This scenario retrains on the labels its own decisions reveal, so every set "
                "of bands per segment has its own model history: following a fairness "
                "strategy needs fixed scores. Never retrain, or use full feedback with a "
                "label delay of 0 (reviewers' verdicts are then replaced by the outcomes at "
                "once) and retrain every K weeks or on drift.", icon=":material/info:")
        return
    weeks = scenario.population.weeks
    a, b = st.columns(2)
    # equal opportunity first: the equality a missed positive cares about
    options = ("equal_recall", *(k for k in METRIC_OF if k != "equal_recall"))
    strategy = a.selectbox("Equality to keep", options, format_func=LABELS.get,
                           key=f"{page}_ot_fair_strategy",
                           help="Bands per segment are chosen for it on the first weeks, "
                                "then kept unchanged.")
    tolerance_pp = b.number_input(
        "Largest gap allowed (pp)", min_value=0.0, max_value=100.0,
        value=DEFAULT_TOLERANCE * 100, step=0.5, format="%.1f", key=f"{page}_ot_fair_tolerance",
        help="Between the highest and the lowest segment, in percentage points.")
    c, d = st.columns(2)
    fit_weeks = c.slider("Bands chosen on weeks 1 to", 1, weeks,
                         min(default_fit_weeks(scenario), weeks), key=f"{page}_ot_fair_fit",
                         help="The weeks the team had seen when it chose the bands (by "
                              "default, those before the first drift).")
    pooled = d.slider("Pool each week with the weeks before it (weeks in all)", 1,
                      min(8, weeks), 1, key=f"{page}_ot_fair_pooled",
                      help="A small segment's weekly rate is noisy: pooling a few weeks "
                           "steadies the gap and delays what it shows.")
    found = seam.fairness_over_time(scenario, strategy, tolerance_pp / 100, fit_weeks, pooled)
    if not found.fitted.bands:
        st.warning(found.fitted.message or "No band on the slider's grid meets the "
                   "guardrails on those weeks.", icon=":material/block:")
        return
    left, right = st.columns(2)
    chart(left, fairness_charts.fairness_gap(found.weekly, found.tolerance, found.fit_weeks,
                                             WORDS[found.metric], markers), key="fair_gap_time")
    chart(right, fairness_charts.fairness_price(found.weekly, domain.unit, found.fit_weeks,
                                                markers), key="fair_price_time")
    bands = ", ".join(f"{name} {lo:.3f}–{hi:.3f}" for name, (lo, hi)
                      in found.fitted.bands.items())
    st.markdown(found.sentence(domain.unit))
    st.caption(f"Bands per segment: {bands}. The grey weeks are those the bands were chosen "
               "on; the price is against the cheapest bands per segment chosen on the same "
               "weeks. The shaded band around the gap is how far the "
               "same week would move in another draw of the same world (95%, binomial). "
               "The review capacity is shared across segments, riskiest first.")
