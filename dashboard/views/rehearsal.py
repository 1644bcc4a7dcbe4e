"""Case-study rehearsal: read a case, commit to metrics, guardrails and a decision, then see the
simulated outcome beside the starting policy and the best policy within your guardrails."""

from __future__ import annotations

import streamlit as st

from dashboard import charts, seam
from dashboard.controls import BAND_STEP, check_url
from dashboard.rehearsal import (
    RETRAIN_CHOICES,
    RUBRIC,
    Answer,
    attempt_markdown,
    comparison_table,
    decision_scenario,
    weekly_breaks,
)
from dashboard.workshop import show_preset_problems
from simulations.domains import get_domain
from simulations.experiments import contaminated_ab_test
from simulations.guardrails import Guardrails

st.title("Rehearse a case study")
st.caption("Commit to how you would measure success and what you would decide before you "
           "see any result. Then compare with the simulation and score yourself.")

show_preset_problems()
presets = {p.title: p for p in seam.presets()}
for message in check_url([], "rehearsal", {"rehearse_case": (tuple(presets), "case")}):
    st.warning(message, icon=":material/warning:")
title = st.selectbox("Case", list(presets), key="rehearse_case", bind="query-params",
                     help="Each case is one of the named scenarios, told as an interview prompt.")
preset = presets[title]
domain = get_domain(preset.domain)
attempts = st.session_state.setdefault("rehearsal_attempts", {})
answer: Answer | None = attempts.get(preset.name)

with st.container(border=True):
    st.markdown(f"**{domain.title}.** {preset.story}")
    st.markdown(f"**Question.** {preset.question}")

if answer is None:
    st.info("Results stay hidden until you commit your answer.", icon=":material/lock:")
    with st.form(f"answer_{preset.name}"):
        metrics = st.text_area("Success metrics", placeholder="What will you measure, and what "
                               "target makes this a success?", help="Say this before you pick "
                               "a solution: interviewers listen for it first.")
        guard_text = st.text_area("Guardrails, in your words", placeholder="What must not get "
                                  "worse while you chase the success metric?")
        st.markdown("**Guardrails the simulation will check** (leave empty for none)")
        c1, c2, c3, c4 = st.columns(4)
        min_precision = c1.number_input("Minimum precision (%)", 0.0, 100.0, value=None)
        min_recall = c2.number_input("Minimum recall (%)", 0.0, 100.0, value=None)
        min_pass = c3.number_input(f"Minimum '{domain.actions['pass']}' rate (%)", 0.0, 100.0,
                                   value=None)
        max_review = c4.number_input("Maximum reviews a week", 0, 10_000_000, value=None)
        st.markdown("**Your decision**")
        words = domain.actions
        band = st.slider(f"{words['pass']} | {words['review']} | {words['flag']}", 0.0, 1.0,
                         (preset.scenario.policy.t_low, preset.scenario.policy.t_high),
                         step=BAND_STEP, format="%.3f")
        d1, d2 = st.columns(2)
        capacity = d1.number_input(f"Weekly {words['review']} capacity", 0, 1_000_000,
                                   int(preset.scenario.review.capacity), step=50)
        retrain = d2.selectbox("Retraining", list(RETRAIN_CHOICES),
                               index=list(RETRAIN_CHOICES).index(preset.scenario.retrain.trigger),
                               format_func=RETRAIN_CHOICES.get)
        if st.form_submit_button("Commit my answer", type="primary"):
            guardrails = Guardrails(
                None if min_precision is None else min_precision / 100,
                None if min_recall is None else min_recall / 100,
                None if min_pass is None else min_pass / 100,
                max_review)
            attempts[preset.name] = Answer(metrics, guard_text, guardrails, tuple(band),
                                           int(capacity), retrain)
            st.rerun()
    st.stop()

# -- reveal ---------------------------------------------------------------------------------
st.success("Answer committed. Here is what the simulation says.", icon=":material/lock_open:")
decision = decision_scenario(preset, answer)
try:
    committed_run, committed = seam.outcome(decision)
    starting = seam.outcome(preset.scenario)[1]
    best_band = seam.best_band(decision, answer.guardrails)
except seam.RunTooLarge as err:
    st.error(f"Not simulated: {err}.", icon=":material/memory:")
    st.stop()
outcomes = {"your policy": committed.weekly, "starting policy": starting.weekly}
bands = {"your policy": answer.band,
         "starting policy": (preset.scenario.policy.t_low, preset.scenario.policy.t_high)}
if best_band is None:
    st.warning("No band meets all of your guardrails in this scenario: they conflict. The "
               "table shows how close your policy and the starting one come.")
else:
    best = seam.outcome(decision.with_policy(*best_band))[1]
    outcomes["best within your guardrails"] = best.weekly
    bands["best within your guardrails"] = best_band
table = comparison_table(outcomes, bands, answer.guardrails, domain.unit)
st.dataframe(table, hide_index=True, width="stretch", column_config={
    c: st.column_config.NumberColumn(format="percent")
    for c in ("precision", "recall", "pass rate")})
st.caption("The best policy is searched on a grid of bands over your run's scores, keeping your "
           "review capacity and retraining choice.")

breaks = weekly_breaks(outcomes, answer.guardrails)
if len(breaks):
    st.markdown("**Guardrails week by week**")
    st.dataframe(breaks, hide_index=True, width="stretch")
for column, label, floor in (("precision", "precision", answer.guardrails.min_precision),
                             ("recall", "recall", answer.guardrails.min_recall),
                             ("pass_rate", f"'{domain.actions['pass']}' rate",
                              answer.guardrails.min_pass_rate)):
    if floor is None:
        continue
    frame = committed.weekly[["week"]].copy()
    for name, weekly in outcomes.items():
        frame[name] = weekly[column].to_numpy()
    st.plotly_chart(charts.weekly_lines(
        frame, {n: n for n in outcomes}, f"Weekly {label} against your guardrail", label,
        charts.Markers(tuple(d.onset_week for d in decision.drift)), y_format=".0%",
        hlines={f"your floor {floor:.0%}": floor}), key=f"guard_{column}")
if preset.ab_contamination is not None:
    ab = contaminated_ab_test(committed_run, preset.ab_contamination, committed)
    st.markdown("**The A/B test: measured against true lift**")
    st.dataframe(ab, hide_index=True, width="stretch", column_config={
        c: st.column_config.NumberColumn(format="percent") for c in ("true_lift",
                                                                     "measured_lift")})
st.markdown(f"**What this case was built to show.** {preset.expected_finding}")

# -- debrief --------------------------------------------------------------------------------
st.subheader("Debrief")
st.caption("Score yourself honestly: did your answer cover each of these?")
for i, item in enumerate(RUBRIC):
    answer.rubric[i] = st.checkbox(item, value=answer.rubric[i], key=f"rubric_{preset.name}_{i}")
st.metric("Rubric score", f"{sum(answer.rubric)} of {len(RUBRIC)}")
left, right = st.columns(2)
left.download_button("Download the whole attempt (Markdown)",
                     data=attempt_markdown(preset, answer, table, breaks),
                     file_name=f"rehearsal_{preset.name}.md", mime="text/markdown",
                     on_click="ignore", key="download_attempt")
if right.button("Start this case again"):
    attempts.pop(preset.name, None)
    st.rerun()
