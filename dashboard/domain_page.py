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
from dashboard.segment_band_controls import render_segment_bands, segment_band_controls
from dashboard.tabs import (
    data,
    data_plan,
    labels,
    monitor,
    over_time,
    segments,
    suggest,
    tradeoff,
)
from dashboard.teaching.report_html import scenario_report_html
from dashboard.teaching.room import show_pulse, timed
from dashboard.teaching.workshop import (
    presenter_toggle,
    report_story,
    share_link,
    show_story,
    step_key,
    step_reference,
    story_key,
    story_panel,
    values_from_scenario,
)
from simulations.domains import get_domain
from simulations.presets import PAGE_TABS
from simulations.reporting.summary import domain_highlights
from simulations.reporting.versus import highlight_deltas, versus_sentence
from simulations.scenario import Policy, ScenarioError

TABS = PAGE_TABS  # a story step may name one of them


def render_domain_page(domain_name: str) -> None:
    domain = get_domain(domain_name)
    page = domain_name
    controls = domain_controls(domain)
    band = band_control(domain, domain.policy)
    seg_bands = segment_band_controls(domain, domain.policy)
    warnings = check_url([*controls, band, *seg_bands], page, {
        f"{page}_tab": (TABS, "tab"), "present": (("true", "false"), "view (presenter mode off)")})

    presenter = presenter_toggle(page)
    st.title(domain.title)
    st.caption(domain.question)
    if presenter:
        show_pulse()
    for message in warnings:
        st.warning(message, icon=":material/warning:")
    story = story_panel(domain_name, [*controls, band], page)
    reference = None
    if story:
        show_story(*story, [*controls, band], page, presenter)
        reference = step_reference(*story)
    values = render_sidebar(controls, page)
    try:
        scenario = scenario_from_values(domain_name, values, domain.policy)
    except ScenarioError as err:
        finish_url_check(page)
        st.error(f"These settings cannot be simulated: {err}")
        st.stop()
    if reference is not None:  # the previous step, as the controls would show it
        label, previous = reference
        reference = label, scenario_from_values(
            domain_name, {**values, **values_from_scenario(previous)},
            (previous.policy.t_low, previous.policy.t_high))
    _results(domain, scenario, band, seg_bands, controls, values, presenter, story, reference)


@st.fragment
@timed
def _results(domain, scenario, band, seg_bands, controls, values, presenter, story,
             reference) -> None:
    """Band slider and everything it changes. A fragment: dragging the band reruns only this,
    not the thirty sidebar controls."""
    page = domain.name
    t_low, t_high = render(band, page)
    by_segment, seg_values = render_segment_bands(seg_bands, page)
    finish_url_check(page)
    try:
        scenario = scenario.with_policy(t_low, t_high, by_segment)
    except ScenarioError as err:
        st.error(f"These bands cannot be used: {err}")
        return
    if scenario.policy_changes_labels:
        st.info(scenario.why_bands_rerun)

    try:
        result, outcome = seam.outcome(scenario)
        baseline = seam.outcome(scenario.with_policy(*domain.policy))[1]
    except seam.RunTooLarge as err:
        st.error(f"Not simulated: {err}.", icon=":material/memory:")
        return
    # totals are kept on each outcome: the default band's are summed once per run, not on
    # every move of every session
    totals, base_totals = outcome.totals, baseline.totals
    if reference is not None:
        compared = seam.outcome(reference[1])[1].totals
        against = (f"Deltas compare with the previous {reference[0]}, so they show what "
                   "this step changed.")
    else:
        compared = base_totals
        against = (f"Deltas compare with this scenario's default band ({domain.policy[0]:g}, "
                   f"{domain.policy[1]:g}) on the same traffic.")
    kpi_row(domain, totals, compared, scenario.review.capacity)
    st.markdown(versus_sentence(domain, totals, base_totals, scenario.costs))
    review = scenario.review
    fate = (f"demand above a day's capacity waits for the next working day (oldest first; "
            f"after {review.max_wait_hours:g} h it takes "
            f"'{domain.actions[review.default_action]}')" if review.queued else
            f"demand above it goes to '{domain.actions[review.overflow_action]}' unreviewed")
    st.caption(f"Review capacity: {review.capacity:,} a week; {fate}. {against}")
    cols = st.columns(3)
    highlights = domain_highlights(domain, totals, outcome)
    deltas = highlight_deltas(domain, totals, compared) or [(None, "off")] * len(highlights)
    for col, (label, value, help_text), (delta, colour) in zip(
            cols, highlights, deltas, strict=True):
        col.metric(label, value, delta, delta_color=colour, help=help_text)

    link = share_link([*controls, band, *seg_bands], page,
                      {**values, "band": (t_low, t_high), **seg_values},
                      {f"{page}_tab": st.session_state.get(f"{page}_tab"),
                       story_key(page): story[0].name if story else "",
                       step_key(page): str(story[1] + 1) if story else ""})
    # no presenter mode in the link: a presenter copies it for the room, who need the controls
    title = f"{domain.title}: {story[0].title}" if story else domain.title

    def report() -> str:
        return scenario_report_html(result, outcome, title,
                                    report_story(*story) if story else None, baseline)

    row = st.container(horizontal=True, gap="small")
    with row.popover("Copy link to this view", icon=":material/link:"):
        st.caption("Everything on this page is in the link: send it, and the other person "
                   "sees exactly this view" + (", with the controls (the link opens without "
                                               "presenter mode)." if presenter else "."))
        st.code(link, language=None)
    # here and not only on the Data tab, which presenter mode hides
    row.download_button("One-page report (HTML)", data=report, on_click="ignore",
                             file_name=f"{domain.name}_report.html", mime="text/html",
                             icon=":material/download:", key="dl_report_top",
                             help="The story, the numbers against the default band and the "
                                  "charts, in one file that opens offline.")

    # Only the open tab is drawn: a band drag then builds a handful of charts, not all of them.
    names = TABS[:-1] if presenter else TABS  # presenters show charts, not tables of events
    tabs = st.tabs(list(names), key=f"{page}_tab", on_change="rerun", bind="query-params")
    draw = {
        "Tradeoff": lambda: tradeoff.draw(domain, scenario, result, totals,
                                          seam.band_free_views(seam.run_key(scenario))),
        "Suggest a policy": lambda: suggest.draw(domain, scenario, totals, band.key(page)),
        "Over time": lambda: over_time.draw(
            domain, scenario, result, outcome.weekly,
            None if scenario.policy == Policy(*domain.policy) else baseline.weekly, outcome),
        "Monitor": lambda: monitor.draw(domain, scenario, result, outcome),
        "Segments": lambda: segments.draw(domain, result, outcome),
        "Labels": lambda: labels.draw(domain, scenario, result, outcome),
        "Data plan": lambda: data_plan.draw(domain, scenario),
        "Data": lambda: data.draw(domain, scenario, result, outcome, link, report),
    }
    for tab, name in zip(tabs, names, strict=True):
        if tab.open:
            with tab:
                try:
                    draw[name]()
                except seam.RunTooLarge as err:
                    st.error(f"Not simulated: {err}.", icon=":material/memory:")
