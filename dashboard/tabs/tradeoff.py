"""The Tradeoff tab: score distributions with the band, the confusion matrix, PR and ROC curves
with the operating point, and total cost against a single threshold."""

from __future__ import annotations

import numpy as np
import streamlit as st

from dashboard import charts
from dashboard.figures import chart
from dashboard.kpis import money
from simulations.reporting.summary import cheapest_threshold, confusion_matrix


def draw(domain, scenario, result, totals, views) -> None:
    p = scenario.policy
    tradeoff_charts(domain, p.t_low, p.t_high, totals, views["histogram"], views["curves"],
                    views["cost_curve"], float(np.nanmean(result.weekly["auc"])))


def tradeoff_charts(terms, t_low, t_high, totals, hist, curves, cost, auc, keys="") -> None:
    """Score distributions with the band, confusion matrix, PR and ROC with the operating
    point, cost against a single threshold. ``terms`` gives the words (a domain, or any object
    with actions, positive_word, negative_word and unit)."""
    log_x = bool(hist["lower"].iloc[1] < 0.001)
    left, right = st.columns(2)
    shown = left.segmented_control(
        "Histogram", ("share of each class", "counts"), default="share of each class",
        key=f"{keys}hist_scale", label_visibility="collapsed",
        help="Shares make the rare class visible; counts show how rare it is (the base rate).")
    chart(left, charts.score_distribution(
        hist, t_low, t_high, terms.actions, terms.positive_word, terms.negative_word, log_x,
        counts=shown == "counts"), key=f"{keys}score_distribution")
    chart(right, charts.confusion_heatmap(confusion_matrix(totals, terms)),
          key=f"{keys}confusion")
    left, right = st.columns(2)
    chart(left, charts.precision_recall(curves, (totals["recall"], totals["precision"]),
                                        totals["positives"] / totals["events"],
                                        reviewed=totals.get("reviewed", 0) > 0),
          key=f"{keys}pr_curve")
    chart(right, charts.roc(curves, (totals["false_positive_rate"], totals["recall"]), auc),
          key=f"{keys}roc_curve")
    best = cheapest_threshold(cost)
    chart(st, charts.cost_vs_threshold(cost, best, totals["cost_total"], terms.unit),
          key=f"{keys}cost_curve")
    st.caption(f"The cheapest single threshold is {best[0]:.3f} "
               f"({money(best[1], terms.unit)} over the horizon, without a review band); "
               f"the current policy costs {money(totals['cost_total'], terms.unit)}.")
