"""The page layout the domains share: the sidebar controls, the band slider, the KPI row and
the tabs (each tab is a module of ``dashboard.tabs``)."""

from __future__ import annotations

import streamlit as st

from dashboard import seam
from dashboard.controls import (
    band_control,
    check_url,
    domain_controls,
    finish_url_check,
    render,
    render_sidebar,
    scenario_from_values,
)
from dashboard.kpis import kpi_row
from dashboard.tabs import data, monitor, over_time, segments, suggest, tradeoff
from dashboard.teaching.workshop import presenter_toggle, share_link, show_story, story_panel
from simulations.domains import get_domain
from simulations.policy.metrics import horizon_totals
from simulations.reporting.summary import domain_highlights
from simulations.scenario import ScenarioError

TABS = ("Tradeoff", "Suggest a policy", "Over time", "Monitor", "Segments", "Data")


def render_domain_page(domain_name: str) -> None:
    domain = get_domain(domain_name)
    page = domain_name
    controls = domain_controls(domain)
    band = band_control(domain, domain.policy)
    warnings = check_url([*controls, band], page)

    presenter = presenter_toggle(page)
    st.title(domain.title)
    st.caption(domain.question)
    for message in warnings:
        st.warning(message, icon=":material/warning:")
    story = story_panel(domain_name, [*controls, band], page)
    if story:
        show_story(*story)
    values = render_sidebar(controls, page)
    try:
        scenario = scenario_from_values(domain_name, values, domain.policy)
    except ScenarioError as err:
        finish_url_check(page)
        st.error(f"These settings cannot be simulated: {err}")
        st.stop()
    _results(domain, scenario, band, controls, values, presenter)


@st.fragment
def _results(domain, scenario, band, controls, values, presenter) -> None:
    """Band slider and everything it changes. A fragment: dragging the band reruns only this,
    not the thirty sidebar controls."""
    page = domain.name
    t_low, t_high = render(band, page)
    finish_url_check(page)
    scenario = scenario.with_policy(t_low, t_high)
    if scenario.policy_changes_labels:
        st.info("This scenario retrains on the labels its own decisions reveal, so moving the "
                "band changes what the model learns: each band move re-runs the simulation.")

    result, outcome = seam.outcome(scenario)
    baseline = seam.outcome(scenario.with_policy(*domain.policy))[1]
    totals = horizon_totals(outcome.core)
    kpi_row(domain, totals, horizon_totals(baseline.core), scenario.review.capacity)
    st.caption(f"Review capacity: {scenario.review.capacity:,} a week; demand above it goes "
               f"to '{domain.actions[scenario.review.overflow_action]}' unreviewed. Deltas "
               f"compare with this scenario's default band ({domain.policy[0]:g}, "
               f"{domain.policy[1]:g}) on the same traffic.")
    cols = st.columns(3)
    for col, (label, value, help_text) in zip(
            cols, domain_highlights(domain, totals, outcome), strict=True):
        col.metric(label, value, help=help_text)

    link = share_link([*controls, band], page, {**values, "band": (t_low, t_high)},
                      {f"{page}_tab": st.session_state.get(f"{page}_tab"),
                       "present": "true" if presenter else ""})
    with st.popover("Copy link to this view", icon=":material/link:"):
        st.caption("Everything on this page is in the link: send it, and the other person "
                   "sees exactly this view.")
        st.code(link, language=None)

    # Only the open tab is drawn: a band drag then builds a handful of charts, not all of them.
    names = TABS[:-1] if presenter else TABS  # presenters show charts, not tables of events
    tabs = st.tabs(list(names), key=f"{page}_tab", on_change="rerun", bind="query-params")
    draw = {
        "Tradeoff": lambda: tradeoff.draw(domain, scenario, result, totals,
                                          seam.band_free_views(seam.run_key(scenario))),
        "Suggest a policy": lambda: suggest.draw(domain, scenario, totals, band.key(page)),
        "Over time": lambda: over_time.draw(domain, scenario, result, outcome.weekly),
        "Monitor": lambda: monitor.draw(domain, scenario, result, outcome),
        "Segments": lambda: segments.draw(domain, result, outcome),
        "Data": lambda: data.draw(domain, scenario, result, outcome, link),
    }
    for tab, name in zip(tabs, names, strict=True):
        if tab.open:
            with tab:
                draw[name]()
