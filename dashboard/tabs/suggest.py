"""The Suggest a policy tab: the team's guardrails in, the cheapest band out, the frontier
drawn, and one click that moves the band slider there. ``guardrail_inputs`` and
``show_suggestion`` are shared by the domain pages and the upload page; ``draw`` is the domain
pages' tab."""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from dashboard import charts, seam
from dashboard.figures import chart
from dashboard.tabs import fairness, robust
from simulations.engine.one_more import one_more, one_more_sentence
from simulations.policy.guardrails import Guardrails, parse_percent
from simulations.policy.optimize import Suggestion
from simulations.reporting.money import whole_money
from simulations.reporting.summary import format_share


def guardrail_inputs(prefix: str, words: dict[str, str],
                     problems: list[str] | None = None) -> Guardrails:
    """Four optional guardrails, the floors typed as percents ("99" or "99%", like the KPI
    cards); an empty box means no guardrail on that. What each box was read as, and any box
    that cannot be read, is said under the boxes in words (not only in a tooltip); a box that
    cannot be read sets no guardrail, and its message is appended to ``problems``."""
    c1, c2, c3, c4 = st.columns(4)
    boxes = (
        ("min_precision", "Precision at least (%)", c1,
         f"Of the events finally {words['flag']}, the share that must be truly positive."),
        ("min_recall", "Recall at least (%)", c2,
         f"Of all truly positive events, the share that must end {words['flag']}."),
        ("min_pass", f"'{words['pass']}' rate at least (%)", c3,
         f"The share of events that must end '{words['pass']}'."),
    )
    floors, notes, errors = [], [], []
    for name, label, col, help_text in boxes:
        text = col.text_input(label, key=f"{prefix}_{name}", placeholder="no floor, e.g. 99",
                              help=help_text + " A percent: 99 or 99.3%.")
        try:
            value, note = parse_percent(text, label.removesuffix(" (%)"))
        except ValueError as err:
            value, note = None, ""
            errors.append(str(err))
        floors.append(value)
        if note:
            notes.append(note)
    review = c4.number_input("Reviews a week at most", min_value=0.0, value=None, step=10.0,
                             format="%.0f", placeholder="no ceiling", key=f"{prefix}_max_review",
                             help="A ceiling on the weekly review demand (your team's "
                                  "capacity).")
    guardrails = Guardrails(*floors, review)
    for error in errors:
        st.error(error, icon=":material/error:")
    if problems is not None:
        problems.extend(errors)
    read = guardrails.describe(f"'{words['pass']}' rate")
    if notes or (read and not errors):
        st.caption(" ".join(notes) + (" Read as: " + "; ".join(read) + "." if read else ""))
    return guardrails


def _apply(band_key: str, policy: tuple[float, float]) -> None:
    st.session_state[band_key] = policy


def show_suggestion(suggestion: Suggestion, *, band_key: str, unit: str,
                    words: dict[str, str], curves, current: tuple[float, float],
                    money: Callable[[float, str], str], note: str = "",
                    capacity: int | None = None) -> None:
    """The answer, its frontier and the button that applies it to the band slider. With the
    review ``capacity`` given, a band whose review demand exceeds it says so."""
    g = suggestion.guardrails
    if not suggestion.feasible:
        st.warning(suggestion.message(f"'{words['pass']}' rate"), icon=":material/block:")
        st.caption("Loosen the guardrail named above (or the others it is combined with): "
                   "the value given is the closest any policy on the slider's grid gets.")
        return
    m = suggestion.metrics
    t_low, t_high = suggestion.policy
    cols = st.columns([1.6, 1.4, 1, 1, 1])
    cols[0].metric("Suggested band", f"{t_low:.3f} – {t_high:.3f}", border=True,
                   help=f"Below {t_low:.3f}: {words['pass']}; from {t_high:.3f} up: "
                        f"{words['flag']}; between: {words['review']}.")
    cols[1].metric("Total cost", money(m["cost_total"], unit), border=True)
    cols[2].metric("Precision", format_share(m["precision"]), border=True)
    cols[3].metric("Recall", format_share(m["recall"]), border=True)
    demand = m["review_demand_per_week"]
    over = capacity is not None and demand > capacity
    cols[4].metric(f"Reviews / week (of {capacity:,})" if over else "Reviews / week",
                   f"{demand:,.0f}", border=True)
    said = [f"'{words['pass']}' rate {format_share(m['pass_rate'])}"]
    if current is not None and abs(m["cost_total"] - current[1]) >= 0.5:
        delta = m["cost_total"] - current[1]
        said.append(f"{'-' if delta < 0 else '+'}{money(abs(delta), unit)} against the current "
                    "band")
    st.caption("With this band: " + "; ".join(said) + ".")
    if m["overflow_per_week"] > 0.5 or over:
        st.warning(f"This band asks for {demand:,.0f} {words['review']}s a week, more than the "
                   f"review capacity: on average {m['overflow_per_week']:,.0f} a week go "
                   "unreviewed and take the default action. Set a ceiling on reviews a week "
                   "to keep within the team's capacity.", icon=":material/group:")
    st.button("Apply this band to the slider", icon=":material/check:", type="primary",
              key=f"{band_key}_apply", on_click=_apply, args=(band_key, (t_low, t_high)))
    if note:
        st.caption(note)
    left, right = st.columns(2)
    chart(left, charts.frontier_cost(suggestion.frontier, m, current, unit,
                                     g.max_review_per_week), key=f"{band_key}_frontier")
    chart(right, charts.frontier_pr(curves, suggestion.frontier, m,
                                    (g.min_precision, g.min_recall)),
          key=f"{band_key}_frontier_pr")
    st.caption("Each point on the left is the cheapest band meeting your floors with at most "
               "that many reviews a week: the slope is what one more reviewer is worth. Weekly "
               "figures are averages over the weeks; a week busier than average can still "
               "overflow.")


def draw(domain, scenario, totals, band_key) -> None:
    st.markdown(f"Set the guardrails your team will not cross; the cheapest band on the "
                f"slider's grid that respects them appears below, with what more or less "
                f"review would buy. Costs in {domain.unit}, over this run's scores.")
    guardrails = guardrail_inputs(domain.name, domain.actions)
    suggestion = seam.suggest(scenario, guardrails)
    note = ("This scenario learns from the labels its decisions reveal: the search used this "
            "run's scores, and applying the band re-runs the simulation, so the outcome can "
            "differ a little." if scenario.policy_changes_labels else "")
    if scenario.impact.enabled:
        note = ("In this scenario the decisions change who arrives (delayed impact): the "
                "search used this run's traffic, and applying the band re-runs the simulation "
                "with the traffic that band brings, so the outcome can differ.")
    show_suggestion(suggestion, band_key=band_key, unit=domain.unit, words=domain.actions,
                    curves=seam.band_free_views(seam.run_key(scenario))["curves"],
                    current=(totals["review_demand_per_week"], totals["cost_total"]),
                    money=whole_money, note=note, capacity=scenario.review.capacity)
    if scenario.review.queued:
        _one_more(domain, scenario, suggestion)
    robust.draw(domain, scenario, guardrails, band_key, suggestion.policy)
    fairness.draw(domain, scenario, guardrails, domain.name)


def _one_more(domain, scenario, suggestion) -> None:
    """What one more person on the team buys at the suggested band (or the current one)."""
    p = scenario.policy
    band = suggestion.policy if suggestion.feasible else (p.t_low, p.t_high)
    answer = one_more(seam.simulate(scenario), band)
    if answer is None:
        st.caption("What one more person on the team buys needs a new simulation here: this "
                   "scenario learns from the labels its decisions reveal.")
        return
    st.caption(one_more_sentence(answer, domain.reviewers.removesuffix("s"),
                                 scenario.review.target_hours,
                                 lambda x: whole_money(x, domain.unit)))
