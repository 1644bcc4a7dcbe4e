"""A fairness strategy followed week by week: the weekly gap and price equal a per-week
recomputation from the events table written here, the first week it reopens is the first the
recomputation finds, and the Over time tab shows it and follows its controls."""

from __future__ import annotations

import base64
import json

import numpy as np
import pytest

from simulations import run
from simulations.policy.fairness_weekly import default_fit_weeks, weekly_fairness
from simulations.scenario import DriftSpec
from tests.conftest import small
from tests.test_pages import app, small_params


@pytest.fixture(scope="module")
def drifting_triage():
    # a paediatric wave from week 5, the model retrained every 3 weeks on full feedback whose
    # outcomes arrive within their week (so no band changes what a retraining learns)
    scenario = small("triage", weeks=10, events=6000,
                     drift=(DriftSpec("cohort", 5, 1.0),)).with_changes(
        retrain={"trigger": "every", "every_weeks": 3},
        feedback={"mode": "full", "label_delay": 0})
    return scenario, run(scenario)


def per_week(events, costs, review_cost, pooled, metric="recall"):
    """Gap and cost per week, written out: a loop over the weeks of the events table."""
    gaps, cost = [], []
    for week in sorted(events["week"].unique()):
        window = events[(events["week"] > week - pooled) & (events["week"] <= week)]
        rates = []
        for _, seg in window.groupby("segment", observed=False):
            flagged = seg["final"] == "flag"
            positive = seg["label"] == 1
            if metric == "recall":
                rates.append((flagged & positive).sum() / positive.sum())
            else:  # pass rate
                rates.append((~flagged).sum() / len(seg))
        gaps.append(max(rates) - min(rates))
        e = events[events["week"] == week]
        missed = (e["label"] == 1) & (e["final"] == "pass")
        false_flag = (e["label"] == 0) & (e["final"] == "flag")
        cost.append((costs.fn_fixed + costs.fn_per_value * e["value"])[missed].sum()
                    + (costs.fp_fixed + costs.fp_per_value * e["value"])[false_flag].sum()
                    + review_cost * e["reviewed"].sum())
    return np.array(gaps), np.array(cost)


def events_at(result, bands):
    """The events table at per-segment ``bands``, as ``run --segment-band`` writes it (each
    event's action following its segment's band is tested in test_segment_bands.py)."""
    p = result.scenario.policy
    return result.at_policy(p.t_low, p.t_high, bands).events


@pytest.mark.parametrize("strategy,pooled", [("equal_recall", 1), ("equal_recall", 3),
                                             ("equal_pass_rate", 2)])
def test_the_weekly_gap_and_price_equal_a_per_week_recomputation(drifting_triage, strategy,
                                                                 pooled):
    scenario, result = drifting_triage
    found = weekly_fairness(result, strategy, 0.03, fit_weeks=4, pooled_weeks=pooled)
    metric = "recall" if strategy == "equal_recall" else "pass_rate"
    costs = scenario.costs
    gaps, fair_cost = per_week(events_at(result, found.fitted.bands), costs, costs.review,
                               pooled, metric)
    _, cheap_cost = per_week(events_at(result, found.cheapest.bands), costs, costs.review,
                             pooled, metric)
    np.testing.assert_allclose(found.weekly["gap"], gaps, atol=1e-12)
    np.testing.assert_allclose(found.weekly["price"], fair_cost - cheap_cost, rtol=1e-9,
                               atol=1e-6)
    late = [w for w, g in zip(found.weekly["week"], gaps, strict=True)
            if w > 4 and g > 0.03 + 1e-12]
    assert found.first_open == (late[0] if late else None)
    if late:
        assert f"first exceeds it in week {late[0]}" in found.sentence()


def test_bands_are_chosen_on_the_fitting_weeks_only(drifting_triage):
    _, result = drifting_triage
    found = weekly_fairness(result, "equal_recall", 0.03, fit_weeks=4, pooled_weeks=4)
    assert found.fitted.feasible
    events = events_at(result, found.fitted.bands)
    first = events[events["week"] <= 4]
    recall = [(g["final"].eq("flag") & g["label"].eq(1)).sum() / g["label"].eq(1).sum()
              for _, g in first.groupby("segment", observed=False)]
    assert max(recall) - min(recall) <= 0.03 + 1e-12
    assert max(recall) - min(recall) == pytest.approx(found.fitted.gap, abs=1e-12)
    # pooled over the 4 fitting weeks, week 4's gap is the fitted gap
    assert found.weekly.set_index("week").loc[4, "gap"] == pytest.approx(found.fitted.gap)


def test_bad_choices_are_refused_in_one_clear_sentence(drifting_triage):
    scenario, result = drifting_triage
    assert default_fit_weeks(scenario) == 4  # the weeks before the paediatric wave
    with pytest.raises(ValueError, match="fit_weeks = 11 is invalid: give a week from 1 to 10"):
        weekly_fairness(result, "equal_recall", 0.02, fit_weeks=11)
    with pytest.raises(ValueError, match="needs an equality strategy"):
        weekly_fairness(result, "per_segment", 0.02)
    with pytest.raises(ValueError, match="pooled_weeks = 0 is invalid"):
        weekly_fairness(result, "equal_recall", 0.02, pooled_weeks=0)


def _gap_trace(at) -> list[float]:
    """The weekly gap line of the Over time tab's fairness chart (typed arrays decoded)."""
    fig = next(json.loads(el.proto.spec) for el in at.get("plotly_chart")
               if "Gap in" in json.loads(el.proto.spec)["layout"]["title"]["text"])
    y = next(t for t in fig["data"] if t["name"].startswith("gap in"))["y"]
    if isinstance(y, dict):  # plotly's typed array: base64 of float64
        y = np.frombuffer(base64.b64decode(y["bdata"]), dtype=y["dtype"])
    return [float(v) for v in y]


def test_the_over_time_tab_shows_the_weekly_gap_and_follows_its_controls():
    at = app("triage", **small_params("triage", triage_tab="Over time",
                                      triage_drift=["cohort mix"], triage_onset="5"))
    assert not at.exception
    titles = [el.proto.spec for el in at.get("plotly_chart")]
    assert any("Price of the constraint by week" in t for t in titles)
    assert at.slider(key="triage_ot_fair_fit").value == 4  # the weeks before the drift
    text = [m.value for m in at.markdown if "Bands chosen on weeks" in m.value]
    assert text and "Bands chosen on weeks 1-4" in text[0]
    before = _gap_trace(at)
    assert len(before) == 8 and np.isfinite(before).all()
    at.slider(key="triage_ot_fair_pooled").set_value(3).run()
    assert not at.exception
    pooled = _gap_trace(at)
    assert pooled[0] == pytest.approx(before[0]) and pooled != before  # week 1 has no past
    at.slider(key="triage_ot_fair_fit").set_value(2).run()
    assert not at.exception
    text = [m.value for m in at.markdown if "Bands chosen on weeks" in m.value]
    assert text and "Bands chosen on weeks 1-2" in text[0]
    at.selectbox(key="triage_ot_fair_strategy").set_value("equal_pass_rate").run()
    assert not at.exception
    assert any("pass rate" in m.value for m in at.markdown if "Bands chosen" in m.value)
