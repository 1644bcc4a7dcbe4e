"""Case-study rehearsal: read a case and its brief (today's numbers), commit to metrics,
guardrails and the case's own decision, then see the simulated outcome beside the case's other
options, its alternative and the best band within your guardrails, with your answer beside the
model answer."""

from __future__ import annotations

import time
from dataclasses import asdict

import streamlit as st

from dashboard import charts, seam
from dashboard.controls import BAND_STEP, check_url
from dashboard.ensemble_charts import learning_curves
from dashboard.tabs.suggest import guardrail_inputs
from dashboard.teaching.rehearsal import (
    RUBRIC,
    Answer,
    PlanAnswer,
    attempt_markdown,
    breaks_sentence,
    broken_weeks,
    case_event,
    comparison_table,
    decision_scenario,
    decision_text,
    describe_retrain,
    escape,
    event_facts,
    explanation_markdown,
    money_text,
    plan_debrief,
    policies_to_show,
    retrain_options,
    sentence_reading,
    share_text,
    split_problem,
    weekly_breaks,
)
from dashboard.teaching.timer import TIME_BOXES, clock_html, elapsed_text
from dashboard.teaching.workshop import show_preset_problems
from simulations.domains import get_domain
from simulations.experiments import contaminated_ab_test
from simulations.experiments.data_plan import STRATEGIES, STRATEGY_WORDS, verdict
from simulations.explain import explain_event
from simulations.policy.guardrails import exact_percent
from simulations.policy.metrics import horizon_totals
from simulations.reporting.money import whole_money

NO_METRICS = ("Write your success metrics first: what you will measure, and the target that "
              "makes this a success. The results open once you have committed to them.")

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
words = domain.actions
pass_word = f"'{words['pass']}' rate"
attempts = st.session_state.setdefault("rehearsal_attempts", {})
answer: Answer | None = attempts.get(preset.name)
opened_at = st.session_state.setdefault("rehearsal_opened", {})  # case -> when it was opened

with st.container(border=True):
    st.markdown(f"**{domain.title}.** {preset.story}")
    st.markdown(f"**Question.** {preset.question}")


def case_brief() -> None:
    """Today's numbers under the starting policy, and where the scores fall."""
    t = horizon_totals(seam.weekly(preset.scenario, "today's policy"))
    p = preset.scenario.policy
    st.markdown(f"**Case brief: today's numbers** (the starting policy, band {p.t_low:.3f} – "
                f"{p.t_high:.3f}, over {preset.scenario.population.weeks} weeks of "
                f"{preset.scenario.population.events_per_week:,} events a week)")
    cols = st.columns(5)
    cols[0].metric(pass_word, share_text(t["pass_rate"]), border=True)
    cols[1].metric("Recall", share_text(t["recall"]), border=True)
    cols[2].metric("Precision", share_text(t["precision"]), border=True)
    cols[3].metric("Reviews / week", f"{t['review_demand_per_week']:,.0f}",
                   help=f"Against a capacity of {preset.scenario.review.capacity:,} a week.",
                   border=True)
    # short label and compact money: five cards must fit at 1280 px
    cols[4].metric("Cost of misses", whole_money(t["cost_fn"], domain.unit),
                   help=f"What the missed {domain.positive_word} cost over the horizon: "
                        f"{money_text(t['cost_fn'], domain.unit)}. Total cost, everything "
                        f"included: {money_text(t['cost_total'], domain.unit)}.", border=True)
    st.caption(f"Review capacity {preset.scenario.review.capacity:,} a week; "
               f"{describe_retrain(preset.scenario.retrain)}. The base rate of "
               f"{domain.positive_word} is {exact_percent(t['positives'] / t['events'])}.")
    views = seam.band_free_views(seam.run_key(preset.scenario))
    st.plotly_chart(charts.score_distribution(
        views["histogram"], p.t_low, p.t_high, words, domain.positive_word,
        domain.negative_word, log_x=domain.base_rate < 0.05), key="brief_scores")


def case_explanation():
    """The decision an explanation case opens, explained by the lab (None: not such a case,
    or the run has no such event)."""
    if preset.explain is None:
        return None
    result, outcome = seam.outcome(preset.scenario)
    row = case_event(preset, result, outcome)
    if row is None:
        return None
    return explain_event(result, outcome, row, seam.feature_space(preset.scenario))


explained = case_explanation()
if preset.explain is not None and explained is None:
    st.warning("This run has no event of the kind the case opens; the explanation part of the "
               "case is left out.", icon=":material/warning:")

if answer is None:
    st.info("Results stay hidden until you commit your answer.", icon=":material/lock:")
    opened = opened_at.setdefault(preset.name, time.time())
    clock, box = st.columns([3, 2], vertical_alignment="bottom")
    box_seconds = TIME_BOXES[box.selectbox(
        "Time box", list(TIME_BOXES), index=2, key="rehearse_time_box",
        help="A case-study answer runs against the clock: the clock counts from when you "
             "opened this case, and the time you took is kept with your answer.")]
    with clock:
        st.html(clock_html(time.time() - opened, box_seconds, f"clock-{preset.name}"),
                unsafe_allow_javascript=True)
    brief = st.container(border=True)
    problems: list[str] = []
    with st.form(f"answer_{preset.name}"):
        metrics = st.text_area("Success metrics", placeholder="What will you measure, and what "
                               "target makes this a success?", help="Say this before you pick "
                               "a solution: interviewers listen for it first.")
        guard_text = st.text_area("Guardrails, in your words", placeholder="What must not get "
                                  "worse while you chase the success metric?")
        st.markdown("**Guardrails the simulation will check** (percents, as on the KPI cards; "
                    "leave a box empty for none)")
        guardrails = guardrail_inputs(f"rehearse_{preset.name}", words, problems)
        customer_sentence = ""
        if explained is not None:
            st.markdown("**The decision to explain** (what support sees: the decision and the "
                        "event's details; the lab's reasons come after you commit)")
            st.dataframe(event_facts(explained, domain), hide_index=True, width="stretch")
            customer_sentence = st.text_area("Your sentence to the customer",
                                             placeholder=preset.explain.prompt,
                                             key=f"rehearse_{preset.name}_customer",
                                             help=preset.explain.prompt)
        st.markdown("**Your decision**")
        option_label = ""
        scenario = preset.scenario
        if preset.decision:
            option_label = st.radio(preset.decision.question,
                                    [o.label for o in preset.decision.options])
            band = (scenario.policy.t_low, scenario.policy.t_high)
            capacity, retrain = scenario.review.capacity, asdict(scenario.retrain)
        else:
            band = st.slider(f"{words['pass']} | {words['review']} | {words['flag']}", 0.0, 1.0,
                             (scenario.policy.t_low, scenario.policy.t_high), step=BAND_STEP,
                             format="%.3f", help="Scores below the left handle: "
                             f"{words['pass']}; from the right handle up: {words['flag']}; "
                             f"between: {words['review']}. The brief above shows where the "
                             "scores fall.")
            d1, d2 = st.columns(2)
            capacity = d1.number_input(f"Weekly {words['review']} capacity", 0, 1_000_000,
                                       int(scenario.review.capacity), step=50)
            choices = retrain_options(scenario)
            retrain = choices[d2.selectbox("Retraining", list(choices),
                                           help="The first option is the case's own plan, as "
                                                "its scenario runs it.")]
        plan_answer, split_error = None, ""
        if preset.label_plan:
            st.markdown(f"**Your data collection plan** for a labelling budget of "
                        f"{money_text(preset.label_plan.budget, domain.unit)} (one review costs "
                        f"{money_text(scenario.costs.review, domain.unit)})")
            kappa_target = st.number_input(
                "Agreement target: the Cohen's kappa two reviewers must reach", 0.0, 1.0, 0.8,
                0.05, key=f"rehearse_{preset.name}_kappa",
                help="Measured on cases two reviewers label independently.")
            cols = st.columns(len(STRATEGIES))
            percents = {k: float(col.number_input(f"{STRATEGY_WORDS[k]} (%)", 0.0, 100.0, 25.0,
                                                  5.0, key=f"rehearse_{preset.name}_{k}"))
                        for k, col in zip(STRATEGIES, cols, strict=True)}
            split_error = split_problem(percents)
            plan_answer = PlanAnswer(float(kappa_target),
                                     {k: v / 100 for k, v in percents.items()})
        if st.form_submit_button("Commit my answer", type="primary"):
            if not metrics.strip():  # the first thing an interviewer listens for
                problems.append(NO_METRICS)
            if split_error:
                problems.append(split_error)
            if not problems:
                attempt = Answer(metrics, guard_text, guardrails, tuple(band), int(capacity),
                                 retrain, option=option_label, plan=plan_answer,
                                 customer_sentence=customer_sentence,
                                 seconds=time.time() - opened)
                if option_label:  # the option's own band, capacity and retraining
                    chosen = decision_scenario(preset, attempt)
                    attempt.band = (chosen.policy.t_low, chosen.policy.t_high)
                    attempt.capacity = chosen.review.capacity
                    attempt.retrain = asdict(chosen.retrain)
                attempts[preset.name] = attempt
                st.rerun()
            st.error(split_error or (NO_METRICS if NO_METRICS in problems else
                                     "Fix the guardrail boxes above before committing."))
    with brief:
        case_brief()
    # While the candidate writes, simulate what every reveal of this case needs (the options,
    # the alternative): the reveal is then answered from the cache.
    needed = policies_to_show(preset, Answer("", "", guardrails, (0.0, 0.0), 0,
                                             asdict(preset.scenario.retrain),
                                             option=(preset.decision.options[0].label
                                                     if preset.decision else "")))
    for name, scenario in needed.items():
        seam.weekly(scenario, what=f"'{name}' for the reveal")
    st.stop()

# -- reveal ---------------------------------------------------------------------------------
st.success("Answer committed. Here is what the simulation says.", icon=":material/lock_open:")
decision = decision_scenario(preset, answer)
shown = policies_to_show(preset, answer)
yours_name = next(iter(shown))

left, right = st.columns(2)
with left.container(border=True):
    st.markdown("**Your answer**")
    st.markdown(f"*Success metrics.* {escape(answer.success_metrics) or '(left blank)'}")
    st.markdown(f"*Guardrails.* {escape(answer.guardrail_text) or '(left blank)'}")
    checked = answer.guardrails.describe(pass_word)
    st.markdown(f"*Checked by the simulation.* {'; '.join(checked) or 'none set'}.")
    st.markdown(f"*Decision.* {decision_text(preset, answer)}")
    if answer.seconds is not None:
        st.markdown(f"*Time to commit.* {elapsed_text(answer.seconds)}")
with right.container(border=True):
    st.markdown("**The model answer**")
    st.markdown(f"*What the case was built to show.* {preset.expected_finding}")
    st.markdown(f"*Facilitator notes.* {preset.facilitator_notes}")

reading = []
if explained is not None:
    space = seam.feature_space(preset.scenario)
    reading = sentence_reading(answer.customer_sentence, explained, space)
    st.markdown("**The customer's explanation: yours and the lab's**")
    mine, lab = st.columns(2)
    with mine.container(border=True):
        st.markdown("*Your sentence.* " + (escape(answer.customer_sentence) or "(left blank)"))
        st.markdown("*A quick reading* (words matched, not a grade):\n"
                    + "\n".join(f"- {'✓' if ok else '✗'} {what}" for what, ok in reading))
    with lab.container(border=True):
        st.markdown("*The lab's recourse sentence* (a draft for an agent, in the lab's words)")
        st.info(explained.sentence, icon=":material/record_voice_over:")
        changes = [{"would be": f"'{words[cf.target]}'",
                    "change": space.specs[cf.column].words,
                    "to": space.text(cf.column, cf.new), "new score": round(cf.score, 3)}
                   for cf in explained.counterfactuals if cf.feasible]
        if changes:
            st.dataframe(changes, hide_index=True, width="stretch")

outcomes, bands = {}, {}
for name, scenario in shown.items():
    outcomes[name] = seam.weekly(scenario, what=f"'{name}'")
    bands[name] = (scenario.policy.t_low, scenario.policy.t_high)

g = answer.guardrails
table_slot, note_slot, weekly_slot = st.empty(), st.empty(), st.empty()


def draw_outcomes(phase: str, note: str = "") -> None:
    """The table, the note on the best row and the weekly guardrail charts (drawn again once
    the best band's re-simulation is in)."""
    table = comparison_table(outcomes, bands, g, domain.unit, pass_word)
    # one column per policy, one row per figure: nothing is cut off at the right
    table_slot.dataframe(table.set_index("policy").T.rename_axis("figure").reset_index(),
                         hide_index=True, width="stretch", height="content")
    if note:
        (note_slot.warning if "breaks" in note else note_slot.caption)(note)
    with weekly_slot.container():
        breaks = weekly_breaks(outcomes, g, pass_word)
        if len(breaks):
            st.markdown("**Guardrails week by week**")
            st.dataframe(breaks, hide_index=True, width="stretch", height="content")
        markers = charts.Markers(tuple(d.onset_week for d in decision.drift))
        for column, what, floor in (("precision", "precision", g.min_precision),
                                    ("recall", "recall", g.min_recall),
                                    ("pass_rate", pass_word, g.min_pass_rate)):
            if floor is None:
                continue
            frame = outcomes[yours_name][["week"]].copy()
            for name, weekly in outcomes.items():
                frame[name] = weekly[column].to_numpy()
            st.plotly_chart(charts.guardrail_lines(
                frame, list(outcomes), f"Weekly {what} against your floor", what, markers,
                floor, f"your floor {exact_percent(floor)}"), key=f"guard_{column}_{phase}")
        if g.max_review_per_week is not None:
            frame = outcomes[yours_name][["week"]].copy()
            for name, weekly in outcomes.items():
                frame[name] = weekly["review_demand"].to_numpy()
            st.plotly_chart(charts.guardrail_lines(
                frame, list(outcomes), "Weekly review demand against your ceiling",
                "reviews demanded", markers, g.max_review_per_week,
                f"your ceiling {g.max_review_per_week:,.10g} a week", share=False),
                key=f"guard_review_{phase}")


weekly_answer = seam.weekly_best(decision, g)
best_band, best_name = weekly_answer.policy, "best within your guardrails"
if best_band is None:
    best_band, best_name = seam.best_band(decision, g), "cheapest on pooled weeks"
resimulate = best_band is not None and decision.policy_changes_labels


def add_best() -> str:
    """Simulate the best band (a new run when the band changes which labels are seen), add
    its row, and say plainly whether it meets every guardrail week by week."""
    best = seam.weekly(decision.with_policy(*best_band), what="the best band")
    outcomes[best_name], bands[best_name] = best, best_band
    broken = breaks_sentence(broken_weeks(best, g), g, pass_word)
    if weekly_answer.policy is None:
        return ("No band on the slider's grid meets every guardrail in every week. The row "
                "shows the cheapest band on pooled weeks (review demand averaged over the "
                "weeks, floors on the horizon's totals)"
                + (f"; it breaks {broken}." if broken else "."))
    if broken:
        return ("This case learns from the labels its decisions reveal, so the band was "
                "searched week by week on your run's scores and then simulated again; with "
                f"it the model sees other labels, and it breaks {broken}.")
    return ("The cheapest band on the slider's grid that meets every guardrail you set in "
            "every week, with your decision's review capacity and retraining"
            + (", checked again after re-simulating it." if resimulate else "."))


if best_band is None:
    draw_outcomes("final")
    note_slot.warning("No band meets all of your guardrails in this scenario, not even on "
                      "pooled weeks: they conflict. The table shows how close the policies "
                      "come.")
elif resimulate:  # everything else first; the re-simulation reports its weeks at the bottom
    draw_outcomes("first", "This case learns from the labels its decisions reveal, so the best "
                  f"band ({best_band[0]:.3f} – {best_band[1]:.3f}) is being simulated again "
                  "week by week (progress at the bottom of the page); its row joins the table "
                  "when that is done.")
else:
    draw_outcomes("final", add_best())

evidence_slot = st.container()
with evidence_slot:
    markers = charts.Markers(tuple(d.onset_week for d in decision.drift))
    for i, ev in enumerate(preset.evidence):
        st.markdown(f"**The case's evidence: {ev.title[0].lower() + ev.title[1:]}**")
        names = list(shown)[:2]
        for col, name in zip(st.columns(len(names)), names, strict=True):
            weekly = outcomes[name]
            columns = {c: legend for c, legend in ev.columns.items() if c in weekly}
            retrained = tuple(int(w) for w in weekly.loc[weekly["retrained"], "week"])
            # more than a few retraining lines would bury the chart: say how many instead
            fig = charts.weekly_lines(
                weekly, columns, name if len(retrained) <= 6 else
                f"{name} (retrained {len(retrained)} times)", ev.y_title,
                charts.Markers(markers.drift_onsets, retrained if len(retrained) <= 6 else ()),
                y_format=ev.format or None)
            # the legend under the plot, clear of the title
            fig.layout.legend = {"orientation": "h", "yanchor": "top", "y": -0.2, "x": 0}
            fig.layout.margin.b = 40
            col.plotly_chart(fig, key=f"evidence_{i}_{name}")
    if preset.ab_contamination is not None:
        committed_run, committed = seam.outcome(decision)
        ab = contaminated_ab_test(committed_run, preset.ab_contamination, committed)
        st.markdown("**The A/B test: measured against true lift**")
        st.dataframe(ab, hide_index=True, width="stretch", column_config={
            c: st.column_config.NumberColumn(format="percent") for c in ("true_lift",
                                                                         "measured_lift")})

debrief_lines: list[str] = []
if preset.label_plan and answer.plan is not None:
    st.subheader("The lab's data plan")
    case = preset.label_plan
    lab_plan = seam.plan_spec(preset.scenario, case.budget, STRATEGIES, case.worlds)
    summary, _ = seam.data_plan(lab_plan)
    st.markdown(verdict(summary, case.budget, domain.unit))
    st.plotly_chart(learning_curves(summary, domain.unit, case.worlds, STRATEGY_WORDS),
                    key="rehearsal_plan_chart")
    debrief_lines = plan_debrief(answer.plan, summary, preset.scenario.review.reviewer_accuracy,
                                 preset.scenario.population.base_rate, domain.unit)
    for line in debrief_lines:
        st.markdown(f"- {line}")

st.page_link(f"views/{preset.domain}.py", label="Open this case in the explorer, at step 1 of "
             "its story, to try other bands and settings", icon=":material/open_in_new:",
             query_params={f"{preset.domain}_story": preset.name, f"{preset.domain}_step": "1"})

# -- debrief --------------------------------------------------------------------------------
st.subheader("Debrief")
st.caption("Score yourself honestly: did your answer cover each of these?")
for i, item in enumerate(RUBRIC):
    answer.rubric[i] = st.checkbox(item, value=answer.rubric[i], key=f"rubric_{preset.name}_{i}")
st.metric("Rubric score", f"{sum(answer.rubric)} of {len(RUBRIC)}")
download, again = st.columns(2)
download_slot = download.empty()
if again.button("Start this case again"):
    attempts.pop(preset.name, None)
    opened_at.pop(preset.name, None)  # the clock starts again too
    st.rerun()

if resimulate:
    draw_outcomes("final", add_best())
final_table = comparison_table(outcomes, bands, g, domain.unit, pass_word)
download_slot.download_button(
    "Download the whole attempt (Markdown)",
    data=attempt_markdown(preset, answer, final_table, weekly_breaks(outcomes, g, pass_word),
                          pass_word, debrief_lines)
    + (explanation_markdown(preset.explain.prompt, answer.customer_sentence,
                            explained.sentence, reading) if explained is not None else ""),
    file_name=f"rehearsal_{preset.name}.md", mime="text/markdown", on_click="ignore",
    key="download_attempt")
