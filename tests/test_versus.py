"""The before/after sentence under the KPIs and the review-overflow note, against counts made
here from the events themselves."""

from __future__ import annotations

import re

import numpy as np
import pytest

from simulations import run
from simulations.domains import get_domain
from simulations.policy.metrics import horizon_totals
from simulations.reporting.versus import (
    highlight_deltas,
    overflow_note,
    versus_sentence,
)
from simulations.scenario import default_scenario
from tests.conftest import small


def _final_counts(result, band):
    """Frauds declined and good payments declined, counted event by event."""
    outcome = result.at_policy(*band)
    label = np.asarray(result.arrays["label"], dtype=bool)
    final = np.asarray(outcome.final, dtype=bool)
    return int((final & label).sum()), int((final & ~label).sum()), 1 - final.mean()


def test_the_sentence_states_the_changes_the_events_show():
    scenario = small("fraud", weeks=5)
    result = run(scenario)
    a_band, b_band = (0.08, 0.3), (0.03, 0.12)
    a, b = horizon_totals(result.at_policy(*a_band).weekly), \
        horizon_totals(result.at_policy(*b_band).weekly)
    text = versus_sentence(get_domain("fraud"), b, a, scenario.costs)
    tp_a, fp_a, pass_a = _final_counts(result, a_band)
    tp_b, fp_b, pass_b = _final_counts(result, b_band)
    assert text.startswith("Versus the default band, over 5 weeks: ")
    assert f"{tp_b - tp_a:,} more frauds caught" in text
    assert f"{fp_b - fp_a:,} more good customers declined" in text
    assert f"({(pass_b - pass_a) * 100:+.1f} pp approval)" in text
    cost = re.search(r"\$([\d.,]+)(k?) (more|less) in total \(about \$([\d.,]+)(k?) a week\)",
                     text)
    total = float(cost[1].replace(",", "")) * (1000 if cost[2] else 1)
    change = b["cost_total"] - a["cost_total"]
    assert total == pytest.approx(abs(change), rel=0.05, abs=0.6)
    assert cost[3] == ("more" if change > 0 else "less")
    assert "assumes a missed fraud case costs $15 + 100% of the amount, a false 'decline' $5 + " \
           "2% of the amount and a manual review $3" in text
    same = versus_sentence(get_domain("fraud"), a, a, scenario.costs)
    assert same.startswith("Same outcome as the default band over 5 weeks")


def test_the_reviews_example_reads_as_the_review_asked():
    """The UX review's example: the fraud default, the decline handle moved 0.30 -> 0.15."""
    scenario = default_scenario("fraud")
    result = run(scenario)
    a = horizon_totals(result.at_policy(0.08, 0.3).weekly)
    b = horizon_totals(result.at_policy(0.08, 0.15).weekly)
    assert versus_sentence(get_domain("fraud"), b, a, scenario.costs).startswith(
        "Versus the default band, over 26 weeks: 24 more frauds caught, 1,810 more good "
        "customers declined (-0.4 pp approval), $3.1k more in total (about $119 a week); ")
    assert highlight_deltas(get_domain("fraud"), b, a)[1:] == [("+1,810", "inverse"),
                                                               ("+24", "normal")]


def test_overflow_is_said_with_what_goes_unreviewed():
    result = run(small("fraud", weeks=4))
    capacity = result.scenario.review.capacity
    wide = result.at_policy(0.005, 0.6)
    totals = horizon_totals(wide.weekly)
    demand = totals["review_demand_per_week"]
    assert demand > capacity
    unreviewed = wide.weekly["review_demand"].sum() - wide.weekly["reviewed"].sum()
    assert overflow_note(totals, capacity) == (
        f"{demand:,.0f} of {capacity:,} capacity: {unreviewed / 4:,.0f} a week unreviewed")
    assert overflow_note(horizon_totals(result.at_policy(0.08, 0.3).weekly), 10**6) == ""
    assert overflow_note(totals, None) == ""  # no review team, no capacity (own scores)


def test_the_page_says_it_under_the_kpis_and_on_the_reviews_card():
    from tests.test_pages import app, small_params

    at = app("fraud", **small_params("fraud", fraud_band=["0.005", "0.6"]))
    assert not at.exception
    said = [m.value for m in at.markdown if m.value.startswith("Versus the default band")]
    assert len(said) == 1 and "over 8 weeks" in said[0]
    assert any(m.label == "Reviews / week (of 350)" for m in at.metric)
    assert any("a week unreviewed" in m.value for m in at.markdown)
    assert next(m for m in at.metric if m.label == "Frauds caught").delta  # highlights too


def test_over_time_ghosts_the_default_band_and_links_to_compare_with_both_bands():
    import json
    from urllib.parse import parse_qs

    from tests.test_pages import app, small_params

    at = app("fraud", **small_params("fraud", fraud_tab="Over time",
                                     fraud_band=["0.05", "0.2"]))
    assert not at.exception
    specs = [json.loads(c.proto.spec) for c in at.get("plotly_chart")]
    ghosted = [s for s in specs if any(t.get("legendgroup") == "ghost" for t in s["data"])]
    assert len(ghosted) == 4  # precision/recall, approval, reviews, costs
    link = next(p.proto for p in at.get("page_link") if p.proto.page == "compare")
    params = parse_qs(link.query_string)
    assert params["compare_fraud_a"] == ["0.08", "0.3"]
    assert params["compare_fraud_b"] == ["0.05", "0.2"]
    compare = app("compare", **{k: v if len(v) > 1 else v[0] for k, v in params.items()})
    assert not compare.exception  # no link warning (a note that B overflows may stand)
    assert not any("link parameter" in w.value for w in compare.warning)
    assert compare.slider(key="compare_fraud_a").value == (0.08, 0.3)
    assert compare.slider(key="compare_fraud_b").value == (0.05, 0.2)
    assert compare.slider(key="compare_weeks").value == 8
    plain = app("fraud", **small_params("fraud", fraud_tab="Over time"))
    assert not [p for p in plain.get("page_link") if p.proto.page == "compare"]
