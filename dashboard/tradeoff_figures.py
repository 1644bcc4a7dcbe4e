"""The Tradeoff tab's five charts, answered for any band from bases kept once per run.

``TradeoffBases`` holds each chart's band-free base (``dashboard.charts``: curves, histogram
bars, axes) already in the form ``st.plotly_chart`` sends, i.e. what plotly's
``Figure.to_dict`` returns, arrays encoded once. ``figures`` then adds one band's marks onto
copies of the bases' top-level lists: a band move neither rebuilds the curves nor copies
them, and the figures equal those of the chart functions (tests/test_tradeoff_figures.py).
Pure plotly, no Streamlit.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import plotly.graph_objects as go

from dashboard import charts
from simulations.reporting.summary import cheapest_threshold, confusion_parts

NAMES = ("score_distribution", "confusion", "pr_curve", "roc_curve", "cost_curve")


def sent_form(spec: dict) -> dict:
    """``spec`` (plain plotly dictionaries, NumPy arrays allowed) as Streamlit sends it."""
    return go.Figure(spec, _validate=False).to_dict()


@dataclass(frozen=True)
class TradeoffBases:
    """One run's band-free parts of the Tradeoff charts (read-only: shared by sessions)."""

    terms: object  # a domain, or any object with actions, positive_word, negative_word, unit
    log_x: bool
    histograms: dict  # counts (bool) -> sent base of the score distribution
    pr: dict
    roc: dict
    cost: dict
    best: tuple[float, float]  # the cheapest single threshold and its cost
    cost_top: float

    @classmethod
    def of(cls, terms, hist: pd.DataFrame, curves: pd.DataFrame, cost: pd.DataFrame,
           auc: float, base_rate: float) -> TradeoffBases:
        """The bases of a run: its score histogram, PR/ROC curves, cost curve, mean AUC and
        share of positives (``base_rate``, the random-guessing line)."""
        log_x = bool(hist["lower"].iloc[1] < 0.001)
        best = cheapest_threshold(cost)
        words = (terms.positive_word, terms.negative_word)
        return cls(
            terms, log_x,
            {counts: sent_form(charts.score_distribution_base(hist, *words, log_x, counts))
             for counts in (False, True)},
            sent_form(charts.precision_recall_base(curves, base_rate)),
            sent_form(charts.roc_base(curves, auc)),
            sent_form(charts.cost_vs_threshold_base(cost, best, terms.unit)),
            best, charts.cost_top(cost))

    def figures(self, t_low: float, t_high: float, totals: dict,
                counts: bool = False) -> dict[str, dict]:
        """The five charts of one band (``totals``: its ``horizon_totals``), by NAMES, in
        sent form; ``counts`` draws the histogram in events rather than shares."""
        t = totals
        return {
            "score_distribution": charts.score_distribution_band(
                self.histograms[counts], t_low, t_high, self.terms.actions, self.log_x),
            "confusion": charts.confusion_spec(*confusion_parts(t, self.terms)),
            "pr_curve": charts.precision_recall_band(
                self.pr, (t["recall"], t["precision"]), reviewed=t.get("reviewed", 0) > 0),
            "roc_curve": charts.roc_band(self.roc, (t["false_positive_rate"], t["recall"])),
            "cost_curve": charts.cost_vs_threshold_band(self.cost, self.best, t["cost_total"],
                                                        self.cost_top),
        }
