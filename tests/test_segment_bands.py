"""Per-segment bands: each event follows its segment's band, one review queue is shared
across segments riskiest-first, and one band for every segment is today's run exactly."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from simulations import run
from simulations.engine.outcome import reviewer_correct
from simulations.policy.metrics import event_costs
from simulations.scenario import Scenario, ScenarioError

from .conftest import small


def _slow_policy(scenario, domain, arrays):
    """The policy written out event by event: each event's band is its segment's; each week
    the events in review queue by score (highest first; equal scores, earliest first) and the
    first ``capacity`` of them are reviewed."""
    p, rv = scenario.policy, scenario.review
    bands = {i: p.band_of(name) for i, name in enumerate(domain.segments)}
    correct = reviewer_correct(scenario, domain, arrays)
    n = len(arrays["score"])
    action = np.zeros(n, dtype=int)
    reviewed = np.zeros(n, dtype=bool)
    final = np.zeros(n, dtype=int)
    for w in np.unique(arrays["week"]):
        queue = []
        for i in np.flatnonzero(arrays["week"] == w):
            lo, hi = bands[int(arrays["segment"][i])]
            s = arrays["score"][i]
            if s >= hi:
                action[i], final[i] = 2, 1
            elif s < lo:
                action[i], final[i] = 0, 0
            else:
                action[i] = 1
                queue.append((-s, i))
        queue.sort()
        for k, (_, i) in enumerate(queue):
            label = bool(arrays["label"][i])
            if k < rv.capacity:
                reviewed[i] = True
                final[i] = int(label if correct[i] else not label)
            else:
                final[i] = int(rv.overflow_action == "flag")
    return action, reviewed, final


def _slow_weekly(scenario, arrays, action, reviewed, final):
    fn_cost, fp_cost = event_costs(arrays["value"], arrays["label"], scenario.costs)
    rows = []
    for w in np.unique(arrays["week"]):
        m = arrays["week"] == w
        y, f = arrays["label"][m].astype(bool), final[m].astype(bool)
        rows.append({"week": w, "review_demand": int((action[m] == 1).sum()),
                     "reviewed": int(reviewed[m].sum()), "tp": int((y & f).sum()),
                     "fp": int((~y & f).sum()),
                     "cost_total": float(fn_cost[m][y & ~f].sum() + fp_cost[m][~y & f].sum()
                                         + reviewed[m].sum() * scenario.costs.review)})
    return pd.DataFrame(rows)


@pytest.fixture(scope="module")
def triage_run():
    # a capacity that binds in some weeks, so the shared queue matters
    scenario = small("triage", weeks=4, events=1500).with_changes(review={"capacity": 120})
    return run(scenario)


@pytest.mark.parametrize("bands", [
    {"adult": [0.05, 0.5], "child": [0.02, 0.2]},
    {"older_adult": [0.3, 0.3]},  # no review band for one segment
    {"adult": [0.0, 1.0], "older_adult": [0.1, 0.9], "child": [0.01, 0.6]},  # all overflow
])
def test_each_event_follows_its_segments_band_with_one_shared_queue(triage_run, bands):
    r = triage_run
    outcome = r.at_policy(0.1, 0.4, bands)
    action, reviewed, final = _slow_policy(outcome.scenario, r.domain, r.arrays)
    assert (outcome.action == action).all()
    assert (outcome.reviewed == reviewed).all()
    assert (outcome.final == final).all()
    slow = _slow_weekly(outcome.scenario, r.arrays, action, reviewed, final)
    core = outcome.core
    for col in ("review_demand", "reviewed", "tp", "fp"):
        assert core[col].tolist() == slow[col].tolist(), col
    np.testing.assert_allclose(core["cost_total"] - core["cost_retrain"], slow["cost_total"])
    assert (core["reviewed"] <= r.scenario.review.capacity).all()
    assert (core["review_overflow"] > 0).any() or bands.get("older_adult") == [0.3, 0.3]


def test_events_table_action_follows_the_segment_band(triage_run):
    outcome = triage_run.at_policy(0.1, 0.4, {"child": [0.5, 0.9]})
    ev = outcome.events
    child = ev["segment"] == "child"
    assert (ev.loc[child & (ev["score"] >= 0.9), "action"] == "flag").all()
    assert (ev.loc[child & (ev["score"] < 0.5), "action"] == "pass").all()
    other = ~child
    assert (ev.loc[other & (ev["score"] >= 0.4), "action"] == "flag").all()
    assert (ev.loc[other & (ev["score"] < 0.1), "action"] == "pass").all()


def test_one_band_named_for_every_segment_is_todays_run_exactly():
    scenario = small("fraud", weeks=3, events=2000)
    p = scenario.policy
    same = scenario.with_policy(p.t_low, p.t_high,
                                {s: [p.t_low, p.t_high] for s in
                                 ("in_store", "online", "cross_border")})
    a, b = run(scenario), run(same)
    pd.testing.assert_frame_equal(a.weekly, b.weekly)
    pd.testing.assert_frame_equal(a.events, b.events)


def test_scenario_json_round_trips_per_segment_bands_in_domain_order():
    s = Scenario.from_dict({"domain": "triage",
                            "policy": {"by_segment": {"child": [0.1, 0.3], "adult": [0.2, 0.5]}}})
    assert [name for name, *_ in s.policy.by_segment] == ["adult", "child"]
    assert Scenario.from_json(s.to_json()) == s
    assert "by_segment" not in Scenario.from_dict({"domain": "triage"}).to_json()


@pytest.mark.parametrize("bands, words", [
    ({"nobody": [0.1, 0.2]}, "'nobody', which is not a triage segment"),
    ({"child": [0.5, 0.2]}, "crossed"),
    ({"child": [0.5]}, "pair"),
    ({"child": [0.1, 1.5]}, "t_high"),
])
def test_unknown_segments_and_crossed_bands_are_refused(bands, words):
    with pytest.raises(ScenarioError, match=words):
        Scenario.from_dict({"domain": "triage", "policy": {"by_segment": bands}})


def test_the_weekly_loop_decides_with_the_segment_bands_when_labels_depend_on_them():
    """Selective feedback with retraining: the loop itself must use each segment's band
    (what it learnt from is what the outcome tables say it decided)."""
    scenario = small("fraud", weeks=6, events=3000).with_changes(
        feedback={"mode": "selective", "label_delay": 1},
        retrain={"trigger": "every", "every_weeks": 2, "min_labels": 100, "min_positives": 2})
    p = scenario.policy
    scenario = scenario.with_policy(p.t_low, p.t_high, {"online": [0.01, 0.02]})
    result = run(scenario)
    np.testing.assert_array_equal(result.arrays["final"], result.outcome.final)
    np.testing.assert_array_equal(result.arrays["seen"], result.outcome.seen)
    ev = result.events
    online = ev["segment"] == "online"
    assert (ev.loc[online & (ev["score"] >= 0.02), "action"] == "flag").all()
    assert (ev.loc[online & (ev["score"] < 0.01), "action"] == "pass").all()
    plain = run(scenario.with_policy(p.t_low, p.t_high))
    assert not plain.weekly["cost_total"].equals(result.weekly["cost_total"])
