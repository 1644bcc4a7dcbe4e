"""The Tradeoff tab: score distributions with the band, the confusion matrix, PR and ROC curves
with the operating point, and total cost against a single threshold."""

from __future__ import annotations

import streamlit as st

from dashboard import seam
from dashboard.figures import chart, presenting, ready
from simulations.reporting.money import whole_money


def draw(domain, scenario, result, totals, views) -> None:
    p = scenario.policy
    # the scenario with its band names everything these charts show: a room on the same
    # view is drawn once for all of it
    tradeoff_charts(p.t_low, p.t_high, totals, views["bases"], view=seam.scenario_key(scenario))


def tradeoff_charts(t_low, t_high, totals, bases, keys="", view: str | None = None) -> None:
    """Score distributions with the band, confusion matrix, PR and ROC with the operating
    point, cost against a single threshold, from ``bases`` (a run's
    ``tradeoff_figures.TradeoffBases``). With ``view`` (a key naming the run and the band) the
    figures are computed once for every session showing that view."""
    left, right = st.columns(2)
    shown = left.segmented_control(
        "Histogram", ("share of each class", "counts"), default="share of each class",
        key=f"{keys}hist_scale", label_visibility="collapsed",
        help="Shares make the rare class visible; counts show how rare it is (the base rate).")
    counts, presenter = shown == "counts", presenting()

    def build() -> dict:
        return {name: ready(spec, presenter)
                for name, spec in bases.figures(t_low, t_high, totals, counts).items()}

    figures = build() if view is None else seam.shared_view(
        ("tradeoff", view, counts, presenter), build)
    chart(left, figures["score_distribution"], key=f"{keys}score_distribution")
    chart(right, figures["confusion"], key=f"{keys}confusion")
    left, right = st.columns(2)
    chart(left, figures["pr_curve"], key=f"{keys}pr_curve")
    chart(right, figures["roc_curve"], key=f"{keys}roc_curve")
    chart(st, figures["cost_curve"], key=f"{keys}cost_curve")
    best, unit = bases.best, bases.terms.unit
    st.caption(f"The cheapest single threshold is {best[0]:.3f} "
               f"({whole_money(best[1], unit)} over the horizon, without a review band); "
               f"the current policy costs {whole_money(totals['cost_total'], unit)}.")
