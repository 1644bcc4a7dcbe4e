"""The Over time tab: weekly precision and recall, pass rate, review load against capacity,
costs, drift and AUC, with drift onsets and retrainings marked, the default band as a grey
ghost behind the current one, a link that opens Compare with both bands filled in, and the
model's calibration (``tabs.calibration``) and a fairness strategy followed week by week
(``tabs.fairness_time``)."""

from __future__ import annotations

import streamlit as st

from dashboard import charts
from dashboard.ensemble_charts import add_range
from dashboard.figures import chart
from dashboard.tabs import calibration, fairness_time, world_ranges
from simulations.engine.reviewers import agreement_sentence
from simulations.engine.staffing import queue_summary

# the Compare page's drift choice, as its link spells it
DRIFT_WORDS = {"covariate": "covariate shift", "prior": "prior shift",
               "concept": "concept drift", "cohort": "cohort mix"}


def markers(scenario, result) -> charts.Markers:
    onsets = sorted({d.onset_week for d in scenario.drift
                     if d.onset_week <= scenario.population.weeks})
    return charts.Markers(tuple(onsets), tuple(result.retrain_weeks))


def compare_params(domain, scenario) -> dict[str, str | list[str]]:
    """The Compare page's link parameters: A the default band, B this one, same seed, weeks
    and (when there is exactly one) drift kind."""
    p, words = scenario.policy, DRIFT_WORDS
    params = {"compare_domain": domain.title, "compare_weeks": str(scenario.population.weeks),
              "compare_seed": str(scenario.seed),
              f"compare_{domain.name}_a": [f"{v:g}" for v in domain.policy],
              f"compare_{domain.name}_b": [f"{p.t_low:g}", f"{p.t_high:g}"]}
    if not p.is_uniform():  # B's own bands per segment
        params[f"compare_{domain.name}_b_seg_own"] = [name for name, *_ in p.by_segment]
        for name, lo, hi in p.by_segment:
            params[f"compare_{domain.name}_b_seg_{name}"] = [f"{lo:g}", f"{hi:g}"]
    if len(scenario.drift) == 1 and scenario.drift[0].kind in words:
        params["compare_drift"] = words[scenario.drift[0].kind]
        params["compare_onset"] = str(scenario.drift[0].onset_week)
    return params


def draw(domain, scenario, result, weekly, ghost=None, outcome=None) -> None:
    """``ghost``: the default band's weekly table, drawn behind (None when it is this band)."""
    m = markers(scenario, result)
    bands, n = world_ranges.ranges(domain, scenario)
    if ghost is not None:
        st.page_link("views/compare.py", label="Compare with the default band, week by week",
                     icon=":material/compare_arrows:",
                     query_params=compare_params(domain, scenario),
                     help="Opens Compare policies with A = the default band and B = this band, "
                          "on the same seed, weeks and drift (other settings at their "
                          "defaults there).")
    left, right = st.columns(2)
    chart(left, add_range(charts.weekly_lines(
        weekly, {"precision": "precision", "recall": "recall",
                 "observed_precision": "precision the team sees"},
        "Precision and recall by week", "share", m, y_format=".0%",
        ghost=ghost[["week", "precision", "recall"]] if ghost is not None else None),
        bands, {"precision": 0, "recall": 1}, n), key="pr_time")
    chart(right, add_range(charts.weekly_lines(
        weekly, {"pass_rate": f"'{domain.actions['pass']}' rate"},
        f"'{domain.actions['pass']}' rate by week", "share of events", m, y_format=".2%",
        ghost=ghost), bands, {"pass_rate": 0}, n), key="pass_time")
    left, right = st.columns(2)
    review = scenario.review
    if review.queued:
        chart(left, charts.review_queue(weekly, review.capacity, review.target_hours,
                                        domain.actions, m), key="review_time")
    else:
        chart(left, charts.review_load(weekly, review.capacity, domain.actions, m,
                                       ghost=ghost), key="review_time")
    chart(right, charts.weekly_costs(weekly, domain.unit, m, ghost=ghost), key="cost_time")
    if review.queued:
        left.caption(queue_summary(review, float(weekly["review_demand"].mean()),
                                   domain.reviewers, domain.actions[review.default_action]))
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
    if domain.review_decides and outcome is not None:
        left, _ = st.columns(2)
        chart(left, charts.weekly_lines(
            weekly, {"review_kappa": "agreement (Cohen's kappa)",
                     "reviewer_true_accuracy": "true accuracy (simulator only)"},
            "Reviewers: agreement and true accuracy", "kappa / share", m,
            hlines={"moderate": 0.4, "substantial": 0.6, "almost perfect": 0.8}),
            key="kappa_time")
        left.caption(agreement_sentence(weekly, outcome.reviewed_positive_share))
    if domain.weekly_charts:  # the world's own monitoring charts, two a row
        columns = st.columns(2)
        for i, c in enumerate(domain.weekly_charts):
            chart(columns[i % 2], charts.weekly_lines(weekly, c.columns, c.title, c.y_label, m,
                                                      hlines=c.lines, y_format=c.y_format),
                  key=f"world_time_{i}")
    calibration.draw(domain, scenario, result, weekly, m)
    fairness_time.draw(domain, scenario, m, weekly)
