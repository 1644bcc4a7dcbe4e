"""The Suggest a policy tab: the team's guardrails in, the cheapest band out, the frontier
drawn, and one click that moves the band slider there. ``guardrail_inputs`` and
``show_suggestion`` are shared by the domain pages and the upload page; ``draw`` is the domain
pages' tab."""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from dashboard import charts, seam
from dashboard.figures import chart
from dashboard.kpis import money
from simulations.policy.guardrails import Guardrails
from simulations.policy.optimize import Suggestion
from simulations.reporting.summary import format_share


def guardrail_inputs(prefix: str, words: dict[str, str]) -> Guardrails:
    """Four optional guardrails; an empty box means no guardrail on that."""
    c1, c2, c3, c4 = st.columns(4)
    kw = {"min_value": 0.0, "max_value": 1.0, "value": None, "step": 0.01, "format": "%.3f",
          "placeholder": "no floor"}
    precision = c1.number_input("Precision at least", key=f"{prefix}_min_precision", **kw,
                                help=f"Of the events finally {words['flag']}, the share that "
                                     "must be truly positive.")
    recall = c2.number_input("Recall at least", key=f"{prefix}_min_recall", **kw,
                             help="Of all truly positive events, the share that must end "
                                  f"{words['flag']}.")
    pass_rate = c3.number_input(f"'{words['pass']}' rate at least", key=f"{prefix}_min_pass",
                                **kw, help=f"The share of events that must end "
                                           f"'{words['pass']}'.")
    review = c4.number_input("Reviews a week at most", min_value=0.0, value=None, step=10.0,
                             format="%.0f", placeholder="no ceiling", key=f"{prefix}_max_review",
                             help="A ceiling on the average weekly review demand (your "
                                  "team's capacity).")
    return Guardrails(precision, recall, pass_rate, review)


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
        st.warning(suggestion.message(), icon=":material/block:")
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
    if over:
        st.warning(f"This band needs {demand:,.0f} {words['review']}s a week against a capacity "
                   f"of {capacity:,}: in an average week about {demand - capacity:,.0f} would "
                   f"overflow unreviewed. Add a ceiling of "
                   f"{capacity:,} under 'Reviews a week at most' to keep within it.",
                   icon=":material/group:")
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
    show_suggestion(suggestion, band_key=band_key, unit=domain.unit, words=domain.actions,
                    curves=seam.band_free_views(seam.run_key(scenario))["curves"],
                    current=(totals["review_demand_per_week"], totals["cost_total"]),
                    money=money, note=note, capacity=scenario.review.capacity)
