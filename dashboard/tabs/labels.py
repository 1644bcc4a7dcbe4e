"""The Labels tab: the reviewers as the source of labels (weekly agreement with Landis and
Koch's words beside their true accuracy, the share of wrong labels each retraining learnt
from) and the data-quality audit of the training sets, with controls that plant faults
through the scenario and the next model's AUC and cost against the same run without them."""

from __future__ import annotations

import numpy as np
import streamlit as st

from dashboard import charts, seam
from dashboard.figures import chart
from dashboard.tabs.over_time import markers
from simulations.engine.reviewers import agreement_sentence
from simulations.labels import audit_table
from simulations.labels.report import audit_sentence, retrained_quality, wilson_interval
from simulations.scenario import ScenarioError

NOISE_CHOICES = (0.0, 0.02, 0.05, 0.1, 0.2)
DUPLICATE_CHOICES = (0.0, 0.05, 0.1, 0.2)
AUDIT_RETRAIN = {"trigger": "every", "every_weeks": 4}  # when the page's scenario never retrains


def _reviewers(domain, scenario, result, weekly) -> None:
    m = markers(scenario, result)
    left, right = st.columns(2)
    if domain.review_decides:
        chart(left, charts.weekly_lines(
            weekly, {"review_kappa": "agreement (Cohen's kappa)",
                     "reviewer_true_accuracy": "true accuracy (simulator only)"},
            "Reviewers: agreement and true accuracy", "kappa / share", m,
            hlines={"fair": 0.2, "moderate": 0.4, "substantial": 0.6, "almost perfect": 0.8}),
            key="labels_kappa")
        kappas = weekly["review_kappa"].to_numpy(dtype=float)
        text = agreement_sentence(weekly, result.outcome.reviewed_positive_share)
        if np.isfinite(kappas).sum() >= 3:
            lo, hi = np.nanpercentile(kappas, [5, 95])
            text += (f" Each week's kappa comes from that week's pairs only: from week to week "
                     f"it moves between {lo:.2f} and {hi:.2f} (5th-95th percentile), what "
                     "another draw of pairs would give.")
        left.caption(text)
    else:
        left.info(f"Here the review route is {domain.actions['review']!r}: it observes the true "
                  "outcome, so no reviewer's verdict can be wrong and there is no agreement to "
                  "measure.", icon=":material/info:")
    chart(right, charts.weekly_lines(
        weekly, {"train_label_error": "wrong labels in the latest training set"},
        "Share of wrong labels the serving model learnt from", "share", m, y_format=".1%"),
        key="labels_error")
    trained = [r for r in result.models if r.version and r.status == "trained"]
    if not trained:
        right.caption("No retraining: the serving model learnt from the reference window's "
                      "true labels.")
        return
    last = trained[-1]
    error = float(weekly.loc[weekly["week"] == last.week, "train_label_error"].iloc[0])
    lo, hi = wilson_interval(round(error * last.training_events), last.training_events)
    right.caption(f"The latest retraining (week {last.week}) learnt from "
                  f"{last.training_events:,} labels, {error:.1%} of them wrong; another world "
                  f"of this size would put it between {lo:.1%} and {hi:.1%} (90%). Only a "
                  "simulator knows the true labels to compare with. A reviewed case counts "
                  "with its reviewer's verdict until its true outcome arrives and replaces "
                  "it, if it ever does (under selective feedback a declined one never does).")


def _controls(domain, scenario):
    """The audit's controls; returns the data_quality changes they ask for."""
    page, dq = domain.name, scenario.data_quality
    c1, c2, c3, c4, c5 = st.columns(5)
    noise = c1.select_slider("Plant label noise", sorted({*NOISE_CHOICES, dq.label_noise}),
                             value=dq.label_noise, key=f"{page}_labels_noise",
                             format_func=lambda v: f"{v:.0%}",
                             help="Flip this share of each training set's labels.")
    dup = c2.select_slider("Plant duplicates", sorted({*DUPLICATE_CHOICES, dq.duplicate_share}),
                           value=dq.duplicate_share, key=f"{page}_labels_dup",
                           format_func=lambda v: f"{v:.0%}",
                           help="Copy this share of each training set's rows once more.")
    options = ("none", *domain.segments)
    segment = c3.selectbox("Under-sample a segment", options,
                           index=options.index(dq.undersample_segment or "none"),
                           key=f"{page}_labels_segment",
                           help="Keep only a fifth of this segment's training rows.")
    clean = c4.toggle("Clean before retraining", value=dq.clean, key=f"{page}_labels_clean",
                      help="Drop the duplicates found and the suspected rows before fitting; "
                           "each dropped row costs the cleaning cost.")
    cost = c5.number_input(f"Cleaning cost a row ({domain.unit})", 0.0, 1e6,
                           float(dq.clean_cost), 0.5, key=f"{page}_labels_clean_cost",
                           disabled=not clean,
                           help="What confirming and dropping one row costs; added to the "
                                "retraining's cost.")
    return {"label_noise": noise, "duplicate_share": dup,
            "undersample_segment": "" if segment == "none" else segment, "clean": clean,
            "clean_cost": float(cost), "audit": True}


def _audit(domain, scenario) -> None:
    st.markdown("**Audit of the training sets**")
    on = st.toggle("Audit each retraining's training set", value=scenario.data_quality.audited,
                   key=f"{domain.name}_labels_audit",
                   help="Exact duplicates, suspected mislabelled rows (confident learning on "
                        "out-of-fold probabilities) and under-represented segments, scored "
                        "against the truth. Runs the scenario again with the audit on.")
    if not on:
        st.caption("Switch the audit on to look for duplicates, wrong labels and sampling bias "
                   "in the labels the retrained models learn from, and to plant some.")
        return
    changes = _controls(domain, scenario)
    variant = scenario
    if scenario.retrain.trigger == "never":
        variant = variant.with_changes(retrain=AUDIT_RETRAIN)
        st.caption("The sidebar's scenario never retrains; the audit looks at retrainings' "
                   "training sets, so here the model is retrained every 4 weeks.")
    try:
        variant = variant.with_changes(data_quality=changes)
        plain = variant.with_changes(data_quality={
            "label_noise": 0.0, "duplicate_share": 0.0, "undersample_segment": "",
            "clean": False, "audit": False})
    except ScenarioError as err:
        st.error(str(err), icon=":material/error:")
        return
    result, outcome = seam.outcome(variant, "the audited scenario")
    st.write(audit_sentence(result.audits, domain.unit))
    if result.audits:
        table = audit_table(result.audits)
        st.dataframe(table, hide_index=True, width="stretch", column_config={
            c: st.column_config.NumberColumn(format="percent")
            for c in ("precision", "recall", "chance_precision", "label_error_before",
                      "label_error_after")})
        st.caption("Precision and recall are measured against the true labels, which only a "
                   "simulator knows; chance_precision is what flagging as many rows at random "
                   "would reach. Segment shares at the last retraining:")
        st.dataframe(result.audits[-1].segments, hide_index=True, width="stretch")
    base_result, base_outcome = seam.outcome(plain, "the same run without faults")
    mine = retrained_quality(outcome.weekly, result.retrain_weeks)
    base = retrained_quality(base_outcome.weekly, base_result.retrain_weeks)
    c1, c2 = st.columns(2)
    if np.isfinite(mine["auc"]) and np.isfinite(base["auc"]):
        c1.metric("Retrained models' ROC AUC", f"{mine['auc']:.3f}",
                  f"{mine['auc'] - base['auc']:+.3f} against no faults, no cleaning")
        c2.metric(f"Cost after the first retraining ({domain.unit})", f"{mine['cost']:,.0f}",
                  f"{mine['cost'] - base['cost']:+,.0f} against no faults, no cleaning",
                  delta_color="inverse")
        st.caption(f"Over the {mine['weeks']} weeks the retrained models served, at this band; "
                   "cleaning's cost is in the retraining cost.")
    else:
        c1.info("No retraining took place, so no model learnt from these sets.",
                icon=":material/info:")


def draw(domain, scenario, result, outcome) -> None:
    _reviewers(domain, scenario, result, outcome.weekly)
    st.divider()
    _audit(domain, scenario)
