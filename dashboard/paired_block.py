"""The Compare page's "Is it more than chance?" block: bands A and B over many worlds of the
same scenario (each world with its own seed, both bands on its traffic), the distribution of
B - A and the verdict in plain words. Self-contained: the page calls ``draw`` once."""

from __future__ import annotations

import numpy as np
import streamlit as st

from dashboard import ensemble_charts, seam
from simulations.experiments import paired
from simulations.reporting.money import short_money


def _interval(metric: str, row, unit: str) -> str:
    if not np.isfinite(row["low"]):
        return "undefined"
    if metric in ("recall", "pass_rate"):
        return f"{row['mean_diff'] * 100:+.2f} pp ({row['low'] * 100:+.2f} to {row['high'] * 100:+.2f})"
    if metric == "reviewed":
        return f"{row['mean_diff']:+,.0f} ({row['low']:+,.0f} to {row['high']:+,.0f})"
    return (f"{short_money(row['mean_diff'], unit)} ({short_money(row['low'], unit)} to "
            f"{short_money(row['high'], unit)})")


def draw(domain, scenario, band_a, band_b) -> None:
    page = "compare"
    st.subheader("Is it more than chance?")
    left, right = st.columns([2, 1])
    on = left.toggle("Check it over many worlds", key=f"{page}_worlds_on",
                     help="One run is one draw of the world. Run both bands in many worlds "
                          "(other seeds) and see how often, and by how much, B beats A.")
    worlds = right.select_slider("Worlds", (10, 30, 50), value=30, key=f"{page}_worlds_n",
                                 label_visibility="collapsed",
                                 format_func=lambda n: f"{n} worlds")
    if not on:
        return
    a, b = (float(band_a[0]), float(band_a[1])), (float(band_b[0]), float(band_b[1]))
    spec = seam.ensemble_spec(scenario, worlds)
    result = seam.ensemble(spec, bands=[a, b])
    answer = paired(result, a, b, domain.unit)
    cost = answer.summary.set_index("metric").loc["cost_total"]
    significant = np.isfinite(cost["low"]) and not cost["low"] <= 0 <= cost["high"]
    (st.success if significant else st.info)(answer.verdict, icon=":material/balance:")
    words = {"cost_total": "Total cost, B - A", "recall": "Recall, B - A",
             "pass_rate": f"'{domain.actions['pass']}' rate, B - A",
             "reviewed": "Reviews done, B - A"}
    cols = st.columns(4)
    for col, (_, row) in zip(cols, answer.summary.iterrows(), strict=True):
        col.metric(words[row["metric"]], _interval(row["metric"], row, domain.unit),
                   help=f"Mean over {row['worlds']} worlds, with its paired 90% interval. B "
                        f"is lower in {row['b_lower']} and higher in {row['b_higher']}.",
                   border=True)
    st.plotly_chart(ensemble_charts.paired_worlds(answer.per_world, domain.unit),
                    key=f"{page}_worlds_chart")
    st.caption(f"Each world: this scenario with its own seed and "
               f"{spec.base.population.events_per_week:,} events a week (fewer than the run "
               f"above, to keep many worlds quick); in each, A and B decide on the same events.")
