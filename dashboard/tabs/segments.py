"""The Segments tab: precision, recall and pass rate per subgroup, as bars and a table (with
each segment's band when some have their own)."""

from __future__ import annotations

import streamlit as st

from dashboard import charts
from dashboard.figures import chart
from simulations.reporting.summary import segment_table, segmentations


def draw(domain, result, outcome) -> None:
    choices = segmentations(domain)
    by = st.segmented_control(
        "Group by", choices, default=choices[0], key=f"{domain.name}_segment_by",
        format_func=lambda c: c.replace("_", " "),
        help="The domain's segments, or any categorical feature the model sees: a model can "
             "be fair across one grouping and fail another.") or choices[0]
    table = segment_table(result, outcome, by)
    policy = outcome.scenario.policy
    if not policy.is_uniform():  # say which band each row was decided with
        table.insert(1, "band", [f"{lo:.3f} – {hi:.3f}" + ("" if (lo, hi) == (policy.t_low,
                                                                          policy.t_high)
                                                          else " (own)")
                                 for lo, hi in policy.bands(domain.segments)])
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
