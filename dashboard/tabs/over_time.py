"""The Over time tab: weekly precision and recall, pass rate, review load against capacity,
costs, drift and AUC, with drift onsets and retrainings marked."""

from __future__ import annotations

import streamlit as st

from dashboard import charts
from dashboard.ensemble_charts import add_range
from dashboard.figures import chart
from dashboard.tabs import world_ranges


def markers(scenario, result) -> charts.Markers:
    onsets = sorted({d.onset_week for d in scenario.drift
                     if d.onset_week <= scenario.population.weeks})
    return charts.Markers(tuple(onsets), tuple(result.retrain_weeks))


def draw(domain, scenario, result, weekly) -> None:
    m = markers(scenario, result)
    bands, n = world_ranges.ranges(domain, scenario)
    left, right = st.columns(2)
    chart(left, add_range(charts.weekly_lines(
        weekly, {"precision": "precision", "recall": "recall",
                 "observed_precision": "precision the team sees"},
        "Precision and recall by week", "share", m, y_format=".0%"),
        bands, {"precision": 0, "recall": 1}, n), key="pr_time")
    chart(right, add_range(charts.weekly_lines(
        weekly, {"pass_rate": f"'{domain.actions['pass']}' rate"},
        f"'{domain.actions['pass']}' rate by week", "share of events", m, y_format=".2%"),
        bands, {"pass_rate": 0}, n), key="pass_time")
    left, right = st.columns(2)
    chart(left, charts.review_load(weekly, scenario.review.capacity, domain.actions, m),
                      key="review_time")
    chart(right, charts.weekly_costs(weekly, domain.unit, m), key="cost_time")
    levels = {"PSI 0.1: watch": 0.1, "PSI 0.25: act": 0.25}
    if scenario.retrain.trigger == "drift":
        levels = {f"retrain at {scenario.retrain.drift_metric.upper()} "
                  f"{scenario.retrain.drift_threshold:g}": scenario.retrain.drift_threshold}
    left, right = st.columns(2)
    chart(left, charts.weekly_lines(
        weekly, {"score_psi": "score PSI", "score_kl": "score KL",
                 "feature_psi_max": "largest feature PSI"},
        "Drift against the training weeks", "divergence (unitless)", m, hlines=levels),
        key="drift_time")
    chart(right, add_range(charts.weekly_lines(
        weekly, {"auc": "ROC AUC"}, "Model quality by week (ROC AUC)", "AUC", m,
        hlines={"random guessing": 0.5}), bands, {"auc": 0}, n), key="auc_time")
