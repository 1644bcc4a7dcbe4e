"""The Data tab: a sample of events, downloads (weekly and events CSV, scenario JSON, the
one-page HTML report), the link to this view, the model history and one decision explained
(``dashboard.tabs.explain``)."""

from __future__ import annotations

import streamlit as st

from dashboard.tabs import explain
from simulations.reporting.safe_csv import to_csv_text
from simulations.reporting.summary import events_sample


def draw(domain, scenario, result, outcome, link: str, report) -> None:
    """``report`` makes the one-page HTML report (called only when it is downloaded)."""
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
                       data=report,
                       file_name=f"{domain.name}_report.html", mime="text/html",
                       on_click="ignore", key="dl_report",
                       help="Interactive charts with plotly.js embedded: opens offline.")
    st.markdown("**Link to this view**")
    st.code(link, language=None)
    st.markdown("**Models**")
    st.dataframe([m.__dict__ for m in result.models], hide_index=True, width="stretch")
    st.divider()
    explain.draw(domain, scenario, result, outcome)
