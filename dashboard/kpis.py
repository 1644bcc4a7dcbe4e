"""The KPI row above the tabs: precision, recall, pass rate, review load and total cost, each
with its delta against a reference policy, in the money format of
simulations.reporting.money."""

from __future__ import annotations

import numpy as np
import streamlit as st

from simulations.reporting.money import whole_money
from simulations.reporting.summary import format_share
from simulations.reporting.versus import overflow_note

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


def pp_delta(value: float, reference: float) -> str | None:
    if not (np.isfinite(value) and np.isfinite(reference)) or value == reference:
        return None
    return f"{(value - reference) * 100:+.1f} pp"


def kpi_row(domain, totals, baseline, capacity) -> None:
    words = {"flag": domain.actions["flag"], "pass_": domain.actions["pass"],
             "review": domain.actions["review"], "pos": domain.positive_word,
             "neg": domain.negative_word, "unit": domain.unit}
    cols = st.columns(5)
    cols[0].metric("Precision", format_share(totals["precision"]),
                   pp_delta(totals["precision"], baseline["precision"]),
                   help=KPI_HELP["precision"].format(**words), border=True)
    cols[1].metric("Recall", format_share(totals["recall"]),
                   pp_delta(totals["recall"], baseline["recall"]),
                   help=KPI_HELP["recall"].format(**words), border=True)
    cols[2].metric(f"'{domain.actions['pass']}' rate", format_share(totals["pass_rate"]),
                   pp_delta(totals["pass_rate"], baseline["pass_rate"]),
                   help=KPI_HELP["pass_rate"].format(**words), border=True)
    demand, base_demand = totals["review_demand_per_week"], baseline["review_demand_per_week"]
    over = overflow_note(totals, capacity)  # said on the card, not only as a delta
    # the capacity goes in the label (which wraps), so the value stays short enough for 1280 px
    cols[3].metric(f"Reviews / week (of {capacity:,})" if over else "Reviews / week",
                   f"{demand:,.0f}",
                   f"{demand - base_demand:+,.0f}" if demand != base_demand else None,
                   delta_color="inverse", help=KPI_HELP["review"].format(**words), border=True)
    if over:
        cols[3].markdown(f":red[:material/warning: {over.split(': ', 1)[1]}]")
    cost, base_cost = totals["cost_total"], baseline["cost_total"]
    delta = cost - base_cost
    cols[4].metric("Total cost", whole_money(cost, domain.unit),
                   (("+" if delta > 0 else "-") + whole_money(abs(delta), domain.unit))
                   if abs(delta) >= 0.5 else None,
                   delta_color="inverse", help=KPI_HELP["cost"].format(**words), border=True)


