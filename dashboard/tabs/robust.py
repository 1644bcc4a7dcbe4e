"""The Suggest tab's "Robust to what you don't know": ranges for the assumptions nobody knows
exactly (with defaults around this scenario's own values), the band that is cheapest on
average across many worlds while the guardrails hold in a chosen share of them, what trusting
one world's suggestion would cost (the regret), and the tornado of what matters most."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import ensemble_charts, seam
from dashboard.figures import chart
from simulations.experiments import Range
from simulations.experiments.ensemble import default_ranges
from simulations.policy.guardrails import Guardrails
from simulations.reporting.money import short_money
from simulations.scenario import ScenarioError


def _apply(band_key: str, band: tuple[float, float]) -> None:
    st.session_state[band_key] = band


def _ranges(page: str, scenario) -> tuple[Range, ...] | None:
    defaults = pd.DataFrame([{"assumption": r.field, "low": float(r.low), "high": float(r.high),
                              "vary": True} for r in default_ranges(scenario)])
    edited = st.data_editor(
        defaults, key=f"{page}_robust_ranges", hide_index=True, width="stretch",
        disabled=["assumption"],
        column_config={"vary": st.column_config.CheckboxColumn("vary", help="Untick to keep "
                                                               "this assumption at its value.")})
    try:
        return tuple(Range(row["assumption"], _number(row["low"]), _number(row["high"]))
                     for _, row in edited.iterrows() if row["vary"])
    except ScenarioError as err:
        st.error(f"Fix this range: {err}")
        return None


def _number(x: float) -> float | int:
    return int(x) if float(x).is_integer() else float(x)


def draw(domain, scenario, guardrails: Guardrails, band_key: str,
         single: tuple[float, float] | None) -> None:
    page = domain.name
    st.subheader("Robust to what you don't know")
    st.markdown("The suggestion above is the cheapest band in **one** world: this run, with "
                "its seed and its guesses. Give ranges for what you are unsure of; the lab "
                "simulates many worlds across them and finds the band that is cheapest on "
                "average while your guardrails hold in most of them.")
    ranges = _ranges(page, scenario)
    c1, c2, c3 = st.columns(3)
    worlds = c1.select_slider("Worlds", (10, 30, 50), value=30, key=f"{page}_robust_n")
    share = c2.slider("Guardrails must hold in at least", 0.5, 1.0, 0.9, 0.05,
                      format="%.2f", key=f"{page}_robust_share",
                      help="The share of worlds in which every guardrail must hold.")
    objective = c3.radio("Cheapest by", ("mean", "worst10"), key=f"{page}_robust_obj",
                         format_func=lambda o: {"mean": "expected cost",
                                                "worst10": "cost in the worst 10% of worlds"}[o])
    on_key = f"{page}_robust_on"
    if st.button("Find the robust band", icon=":material/shield:", key=f"{page}_robust_go"):
        st.session_state[on_key] = True
    if ranges is None or not st.session_state.get(on_key):
        return
    try:
        spec = seam.ensemble_spec(scenario, worlds, ranges)
    except ScenarioError as err:
        st.error(f"Fix this range: {err}")
        return
    answer = seam.robust(spec, guardrails, share, objective, single)
    unit = domain.unit
    if not answer.feasible:
        st.warning(answer.message(unit), icon=":material/block:")
        return
    lo, hi = answer.band
    cols = st.columns(4)
    cols[0].metric("Robust band", f"{lo:.3f} – {hi:.3f}", border=True)
    cols[1].metric("Expected cost", short_money(answer.expected_cost, unit), border=True,
                   help=f"Mean over {answer.worlds} worlds; the worst 10% average "
                        f"{short_money(answer.worst10_cost, unit)}.")
    cols[2].metric("Guardrails hold in", f"{answer.share_met:.0%} of worlds", border=True)
    regret = answer.regret
    cols[3].metric("Regret of the one-world suggestion",
                   "undefined" if regret != regret else short_money(regret, unit), border=True,
                   help="How much more the suggestion above costs on average over the same "
                        "worlds.")
    st.caption(answer.message(unit) + f" Each world simulates "
               f"{spec.base.population.events_per_week:,} events a week.")
    st.button("Apply this band", icon=":material/check:", type="primary",
              key=f"{page}_robust_apply", on_click=_apply, args=(band_key, answer.band))
    if not ranges:
        return
    current = (scenario.policy.t_low, scenario.policy.t_high)
    table = seam.tornado_table(spec, answer.band, (current, answer.band))
    value = "diff" if current != answer.band else "cost"
    chart(st, ensemble_charts.tornado(table, unit, value), key=f"{page}_tornado")
    st.caption(f"Each assumption set to its low and to its high end, the others at the middle "
               f"of their ranges, on the same {seam.TORNADO_WORLDS} world seeds: the bar is how "
               f"far that moves the cost difference between the robust band and the current "
               f"one. Biggest first: that is where better information pays most.")
