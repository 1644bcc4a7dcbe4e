"""The page layout the three domains share: controls, band slider, KPI row and five tabs."""

from __future__ import annotations

import numpy as np
import streamlit as st

from dashboard import charts, seam
from dashboard.controls import (
    band_control,
    check_url,
    domain_controls,
    finish_url_check,
    render,
    render_sidebar,
    scenario_from_values,
)
from dashboard.report_html import scenario_report_html
from dashboard.suggest import guardrail_inputs, show_suggestion
from dashboard.workshop import presenter_toggle, share_link, show_story, story_panel
from simulations.domains import get_domain
from simulations.export import to_csv_text
from simulations.report import (
    cheapest_threshold,
    confusion_matrix,
    domain_highlights,
    events_sample,
    format_share,
    horizon_totals,
    segment_table,
)
from simulations.scenario import ScenarioError

TABS = ("Tradeoff", "Suggest a policy", "Over time", "Segments", "Data")
KPI_HELP = {
    "precision": "Of the events finally {flag}, the share that were truly {pos}. Low precision "
                 "means {neg} cases pay the price of the model's caution.",
    "recall": "Of all truly {pos} events, the share finally {flag}. Low recall means {pos} "
              "cases slip through.",
    "pass_rate": "Share of events that end as '{pass_}' after reviews. For a business this is "
                 "often the number customers feel.",
    "review": "Events sent to {review} per week, against the weekly capacity. Demand above "
              "capacity overflows to the default action unreviewed.",
    "cost": "Missed positives + false alarms + reviews + retrainings over the whole horizon, "
            "in {unit}. This is the number to minimise, within your guardrails.",
}



def _pp_delta(value: float, reference: float) -> str | None:
    if not (np.isfinite(value) and np.isfinite(reference)) or value == reference:
        return None
    return f"{(value - reference) * 100:+.1f} pp"


def money(value: float, unit: str) -> str:
    """Whole units, or millions with one decimal once a number gets too wide for a KPI card."""
    if abs(value) >= 1e6:
        text = f"{value / 1e6:,.1f}M"
    elif abs(value) >= 1e5:
        text = f"{value / 1e3:,.1f}k"
    else:
        text = f"{value:,.0f}"
    return f"${text}" if unit == "$" else f"{text} {unit}"


def kpi_row(domain, totals, baseline, capacity) -> None:
    words = {"flag": domain.actions["flag"], "pass_": domain.actions["pass"],
             "review": domain.actions["review"], "pos": domain.positive_word,
             "neg": domain.negative_word, "unit": domain.unit}
    cols = st.columns(5)
    cols[0].metric("Precision", format_share(totals["precision"]),
                   _pp_delta(totals["precision"], baseline["precision"]),
                   help=KPI_HELP["precision"].format(**words), border=True)
    cols[1].metric("Recall", format_share(totals["recall"]),
                   _pp_delta(totals["recall"], baseline["recall"]),
                   help=KPI_HELP["recall"].format(**words), border=True)
    cols[2].metric(f"'{domain.actions['pass']}' rate", format_share(totals["pass_rate"]),
                   _pp_delta(totals["pass_rate"], baseline["pass_rate"]),
                   help=KPI_HELP["pass_rate"].format(**words), border=True)
    demand, base_demand = totals["review_demand_per_week"], baseline["review_demand_per_week"]
    cols[3].metric("Reviews / week", f"{demand:,.0f}",
                   f"{demand - base_demand:+,.0f}" if demand != base_demand else None,
                   delta_color="inverse", help=KPI_HELP["review"].format(**words), border=True)
    cost, base_cost = totals["cost_total"], baseline["cost_total"]
    delta = cost - base_cost
    cols[4].metric("Total cost", money(cost, domain.unit),
                   (("+" if delta > 0 else "-") + money(abs(delta), domain.unit))
                   if abs(delta) >= 0.5 else None,
                   delta_color="inverse", help=KPI_HELP["cost"].format(**words), border=True)


def chart(container, fig, key: str) -> None:
    """Draw a figure; taller in presenter mode so the back of the room can read it."""
    if st.session_state.get("present"):
        fig.update_layout(height=520, font={"size": 16})
    container.plotly_chart(fig, key=key)


def _markers(scenario, result) -> charts.Markers:
    onsets = sorted({d.onset_week for d in scenario.drift
                     if d.onset_week <= scenario.population.weeks})
    return charts.Markers(tuple(onsets), tuple(result.retrain_weeks))


def _tradeoff_tab(domain, scenario, result, totals, views) -> None:
    p = scenario.policy
    tradeoff_charts(domain, p.t_low, p.t_high, totals, views["histogram"], views["curves"],
                    views["cost_curve"], float(np.nanmean(result.weekly["auc"])))


def tradeoff_charts(terms, t_low, t_high, totals, hist, curves, cost, auc, keys="") -> None:
    """Score distributions with the band, confusion matrix, PR and ROC with the operating
    point, cost against a single threshold. ``terms`` gives the words (a domain, or any object
    with actions, positive_word, negative_word and unit)."""
    log_x = bool(hist["lower"].iloc[1] < 0.001)
    left, right = st.columns(2)
    chart(left, charts.score_distribution(
        hist, t_low, t_high, terms.actions, terms.positive_word, terms.negative_word, log_x),
        key=f"{keys}score_distribution")
    chart(right, charts.confusion_heatmap(confusion_matrix(totals, terms)),
          key=f"{keys}confusion")
    left, right = st.columns(2)
    chart(left, charts.precision_recall(curves, (totals["recall"], totals["precision"]),
                                        totals["positives"] / totals["events"]),
          key=f"{keys}pr_curve")
    chart(right, charts.roc(curves, (totals["false_positive_rate"], totals["recall"]), auc),
          key=f"{keys}roc_curve")
    best = cheapest_threshold(cost)
    chart(st, charts.cost_vs_threshold(cost, best, totals["cost_total"], terms.unit),
          key=f"{keys}cost_curve")
    st.caption(f"The cheapest single threshold is {best[0]:.3f} "
               f"({money(best[1], terms.unit)} over the horizon, without a review band); "
               f"the current policy costs {money(totals['cost_total'], terms.unit)}.")


def _suggest_tab(domain, scenario, totals, band_key) -> None:
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
                    money=money, note=note)


def _time_tab(domain, scenario, result, weekly) -> None:
    m = _markers(scenario, result)
    left, right = st.columns(2)
    chart(left, charts.weekly_lines(
        weekly, {"precision": "precision", "recall": "recall",
                 "observed_precision": "precision the team sees"},
        "Precision and recall by week", "share", m, y_format=".0%"), key="pr_time")
    chart(right, charts.weekly_lines(
        weekly, {"pass_rate": f"'{domain.actions['pass']}' rate"},
        f"'{domain.actions['pass']}' rate by week", "share of events", m, y_format=".2%"),
        key="pass_time")
    left, right = st.columns(2)
    chart(left, charts.review_load(weekly, scenario.review.capacity, domain.actions, m),
                      key="review_time")
    chart(right, charts.weekly_costs(weekly, domain.unit, m), key="cost_time")
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
    chart(right, charts.weekly_lines(
        weekly, {"auc": "ROC AUC"}, "Model quality by week (ROC AUC)", "AUC", m,
        hlines={"random guessing": 0.5}), key="auc_time")
    if domain.weekly_charts:  # the world's own monitoring charts, two a row
        columns = st.columns(2)
        for i, c in enumerate(domain.weekly_charts):
            chart(columns[i % 2], charts.weekly_lines(weekly, c.columns, c.title, c.y_label, m,
                                                      hlines=c.lines, y_format=c.y_format),
                  key=f"world_time_{i}")


def _segments_tab(domain, result, outcome) -> None:
    table = segment_table(result, outcome)
    chart(st, charts.segment_bars(table), key="segments")
    st.dataframe(table, hide_index=True, width="stretch", column_config={
        "share_of_events": st.column_config.NumberColumn("share of events", format="percent"),
        "base_rate": st.column_config.NumberColumn(f"share {domain.positive_word}",
                                                   format="percent"),
        "precision": st.column_config.NumberColumn(format="percent"),
        "recall": st.column_config.NumberColumn(format="percent"),
        "pass_rate": st.column_config.NumberColumn(f"'{domain.actions['pass']}' rate",
                                                   format="percent"),
    })
    st.caption("Empty cells are undefined (for example, precision when nothing in the "
               "segment was flagged).")


def _data_tab(domain, scenario, result, outcome, link: str) -> None:
    st.dataframe(events_sample(outcome), hide_index=True, width="stretch", height=320)
    st.caption("A random sample of 500 events. Download everything below.")
    c1, c2, c3, c4 = st.columns(4)
    c1.download_button("Weekly table (CSV)", data=to_csv_text(outcome.weekly),
                       file_name=f"{domain.name}_weekly.csv", mime="text/csv",
                       on_click="ignore", key="dl_weekly")
    c2.download_button("All events (CSV)", data=lambda: to_csv_text(outcome.events),
                       file_name=f"{domain.name}_events.csv", mime="text/csv",
                       on_click="ignore", key="dl_events")
    c3.download_button("Scenario (JSON)", data=scenario.to_json(),
                       file_name=f"{domain.name}_scenario.json", mime="application/json",
                       on_click="ignore", key="dl_scenario")
    c4.download_button("One-page report (HTML)",
                       data=lambda: scenario_report_html(result, outcome, domain.title),
                       file_name=f"{domain.name}_report.html", mime="text/html",
                       on_click="ignore", key="dl_report",
                       help="Interactive charts with plotly.js embedded: opens offline.")
    st.markdown("**Link to this view**")
    st.code(link, language=None)
    st.markdown("**Models**")
    st.dataframe([m.__dict__ for m in result.models], hide_index=True, width="stretch")


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
        "Tradeoff": lambda: _tradeoff_tab(domain, scenario, result, totals,
                                          seam.band_free_views(seam.run_key(scenario))),
        "Suggest a policy": lambda: _suggest_tab(domain, scenario, totals, band.key(page)),
        "Over time": lambda: _time_tab(domain, scenario, result, outcome.weekly),
        "Segments": lambda: _segments_tab(domain, result, outcome),
        "Data": lambda: _data_tab(domain, scenario, result, outcome, link),
    }
    for tab, name in zip(tabs, names, strict=True):
        if tab.open:
            with tab:
                draw[name]()
