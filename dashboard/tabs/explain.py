"""The Data tab's "one decision explained" section: open one event (quick picks or its row),
see its features, score and action, its principal reasons, the nearest change to each
threshold, the recourse sentence, partial dependence, whether the advice holds under the
run's other models, and the recourse audit per segment."""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

from dashboard import explain_charts, seam
from dashboard.figures import chart
from simulations.explain import event_dependence, explain_event, quick_picks

BY_ROW = "an event by its row"


def _change_rows(domain, space, e) -> list[dict]:
    rows = []
    for cf in e.counterfactuals:
        word = f"'{domain.actions[cf.target]}'"
        rows.append({
            "threshold": f"{cf.boundary} = {cf.threshold:g}",
            "change": space.specs[cf.column].words if cf.feasible
            else f"no single change within range reaches {word}",
            "from": space.text(cf.column, cf.old) if cf.feasible else "",
            "to": space.text(cf.column, cf.new) if cf.feasible else "",
            "new score": cf.score if cf.feasible else np.nan,
            "would be": word if cf.feasible else "",
            "size (typical spreads)": cf.size,
            "method": cf.method,
        })
    return rows


def _advice(domain, e) -> None:
    if not e.advice:
        st.caption("Only one model served this run, so there is no other model to check the "
                   "advice against; a retraining rule on the sidebar adds some.")
        return
    table = pd.DataFrame(e.advice)
    later = table[table["later"]]
    if len(later):
        held = later["holds"].mean()
        st.markdown(f"**After the retraining{'s' if later['model_version'].nunique() > 1 else ''}"
                    f"**, {held:.0%} of this advice still holds: a change that worked for the "
                    "model of that week can stop working when the model is retrained.")
    else:
        st.markdown("No retraining came after this week; the rows below check the advice "
                    "against the earlier models, which would have answered differently.")
    table["target"] = table["target"].map(lambda a: f"'{domain.actions[a]}'")
    st.dataframe(table.rename(columns={"target": "advice reaches", "score": "changed score"}),
                 hide_index=True, width="stretch")


def _audit(domain, scenario) -> None:
    page = domain.name
    action = st.radio("Audit the events given", ("flag", "pass"), horizontal=True,
                      key=f"{page}_audit_action",
                      format_func=lambda a: f"'{domain.actions[a]}'")
    table = seam.recourse_audit_table(scenario, action).copy()
    past = [c for c in table.columns if c.startswith("past_")]
    near, far = past[0], past[1] if len(past) > 1 else None
    st.dataframe(table, hide_index=True, width="stretch", column_config={
        near: st.column_config.NumberColumn(f"share with a change out of "
                                            f"'{domain.actions[action]}'", format="percent"),
        **({far: st.column_config.NumberColumn("share with a change past the other threshold",
                                               format="percent")} if far else {}),
        "interval": st.column_config.NumberColumn("± (95 %)", format="percent"),
        "median_size": st.column_config.NumberColumn("median size (typical spreads)",
                                                     format="%.2f"),
        "most_changed": "feature changed most often",
    })
    st.caption("Each event is changed in one feature, under the model that served it, within "
               "the range seen in the run; fixed features never move. Up to 200 events per "
               "segment are audited (a seeded sample); ± is how far the share could move in "
               "another sample. An empty median means no audited event had a feasible change.")


def draw(domain, scenario, result, outcome) -> None:
    page = domain.name
    st.subheader("One decision explained")
    space = seam.feature_space(scenario)
    picks = quick_picks(result, outcome)
    options = [name for name, row in picks.items() if row is not None] + [BY_ROW]
    choice = st.selectbox("Open", options, key=f"{page}_explain_pick")
    n = len(result.arrays["label"])
    if choice == BY_ROW:
        row = int(st.number_input(f"Event row (0 to {n - 1:,})", min_value=0, max_value=n - 1,
                                  value=0, step=1, key=f"{page}_explain_row"))
    else:
        row = picks[choice]
    e = explain_event(result, outcome, row, space)
    c = st.columns(5)
    c[0].metric("Score", f"{e.score:.3f}")
    c[1].metric("Action", domain.actions[e.action])
    c[2].metric("Truth", domain.positive_word if e.label else domain.negative_word)
    c[3].metric("Segment", e.segment)
    c[4].metric("Week (model)", f"{e.week} (v{e.version})")
    st.info(e.sentence, icon=":material/record_voice_over:")
    left, right = st.columns(2)
    with left:
        st.markdown("**Principal reasons** (at most four, features the model uses)")
        changeable = [r.text for r in e.reasons if r.changeable]
        fixed = [r.text for r in e.reasons if not r.changeable]
        st.markdown("\n".join(f"- {t}" for t in changeable) or "- none changeable")
        if fixed:
            st.markdown("Fixed, not open to change:\n" + "\n".join(f"- {t}" for t in fixed))
    with right:
        st.markdown("**The event**")
        st.dataframe(pd.DataFrame(e.features), hide_index=True, width="stretch", height=250)
    st.markdown("**Nearest change to each threshold** (one feature; checked by re-scoring)")
    st.dataframe(pd.DataFrame(_change_rows(domain, space, e)), hide_index=True,
                 width="stretch", column_config={
                     "new score": st.column_config.NumberColumn(format="%.3f"),
                     "size (typical spreads)": st.column_config.NumberColumn(format="%.2f")})
    if e.dependence_columns:
        column = st.selectbox("Partial dependence on", e.dependence_columns,
                              key=f"{page}_explain_feature",
                              format_func=lambda j: space.specs[j].words)
        dep = event_dependence(result, row, column, space)
        p = outcome.scenario.policy
        chart(st, explain_charts.partial_dependence(
            dep, space.specs[column].words, space.text(column, dep.event_value),
            *p.band_of(domain.segments[int(result.arrays["segment"][row])]), domain.actions),
            key=f"{page}_dependence")
        st.caption("scikit-learn's partial dependence over 200 sampled events of the run and "
                   "this one: the thick line is the average, faint lines are single events, "
                   "the purple line is this event as only this feature moves.")
    st.markdown("**Does the advice hold under the run's other models?**")
    _advice(domain, e)
    if st.toggle("Recourse audit per segment", key=f"{page}_audit"):
        _audit(domain, scenario)
